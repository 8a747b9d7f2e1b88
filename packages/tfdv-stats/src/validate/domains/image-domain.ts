// Image domains (image_domain_util.cc): the share of decodable images and the largest image size, read from the
// semantic-domain statistics; fractions are C++ floats.
import { isFieldSet } from '@bufbuild/protobuf';
import { AnomalyInfo_Type, type ImageDomain, ImageDomainSchema } from '../../protos.ts';
import { printfFixed } from '../absl-format.ts';
import { type Description, description } from '../description.ts';
import type { FeatureStatsView } from '../stats-view.ts';

export function updateImageDomain(view: FeatureStatsView, domain: ImageDomain): Description[] {
  const out: Description[] = [];
  if (isFieldSet(domain, ImageDomainSchema.field.minimumSupportedImageFraction)) {
    const formats = view.customStatByName('image_format_histogram');
    // Without the histogram (semantic domain stats were off) TFDV only logs a warning.
    if (formats) {
      let supported = 0;
      let unsupported = 0;
      const buckets = formats.val.case === 'rankHistogram' ? formats.val.value.buckets : [];
      for (const b of buckets) {
        if (b.label === 'UNKNOWN') unsupported = Math.fround(unsupported + b.sampleCount);
        else supported = Math.fround(supported + b.sampleCount);
      }
      const fraction = Math.fround(supported / (supported + unsupported));
      const threshold = Math.fround(domain.minimumSupportedImageFraction);
      if (fraction < threshold) {
        domain.minimumSupportedImageFraction = fraction;
        out.push(
          description(
            AnomalyInfo_Type.LOW_SUPPORTED_IMAGE_FRACTION,
            'Low supported image fraction',
            `Fraction of values containing TensorFlow supported images: ${printfFixed(fraction)} is lower than the threshold set in the Schema: ${printfFixed(threshold)}.`,
          ),
        );
      }
    }
  }
  if (isFieldSet(domain, ImageDomainSchema.field.maxImageByteSize)) {
    const largest = view.bytesStats().maxNumBytesInt;
    const allowed = domain.maxImageByteSize;
    if (largest > allowed) {
      domain.maxImageByteSize = largest;
      out.push(
        description(
          AnomalyInfo_Type.MAX_IMAGE_BYTE_SIZE_EXCEEDED,
          'Num bytes exceeds the max byte size.',
          `The largest image has bytes: ${largest}. The max allowed byte size is: ${allowed}.`,
        ),
      );
    }
  }
  return out;
}
