import type { Description } from '../description.ts';

/** What a domain check found, and whether the domain is beyond repair and must be dropped. */
export interface UpdateSummary {
  descriptions: Description[];
  clearField: boolean;
}
