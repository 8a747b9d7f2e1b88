// Every pipeline spec of the repository, by pipeline name. `scripts/compile-pipelines.ts` compiles
// each into `compiled/<name>.yaml`.
import type { PipelineSpec } from '@formalize/common';
import hello from './examples/hello.ts';
import buildModel from './formalization/build-model.ts';
import dataPreprocessing from './formalization/data-preprocessing.ts';
import training from './formalization/training.ts';

export interface CompilablePipeline { readonly pipelineName: string; readonly description: string | undefined; compile(): PipelineSpec }

export const pipelines: readonly CompilablePipeline[] = [hello, dataPreprocessing, buildModel, training];
