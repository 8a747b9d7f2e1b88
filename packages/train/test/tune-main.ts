// Test entrypoint: the tune component with the fake trial module, driven through the real executor protocol.
import { main } from '@formalize/common';
import { createTuneComponent } from '../src/components/tune.ts';

await main([createTuneComponent({ trialModule: new URL('./tune-fake-trial.ts', import.meta.url).href })]);
