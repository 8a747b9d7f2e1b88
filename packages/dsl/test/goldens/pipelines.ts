// The KFP SDK's golden pipelines re-expressed with the TypeScript DSL, keyed by golden file.
import { z } from 'zod';
import { artifact, irToYaml, singleComponentPipelineSpec, taskFinalStatus, type PipelineSpec } from '@formalize/common';
import {
  Collected, ExitHandler, If, OneOf, ParallelFor, TASK_FINAL_STATUS, componentFromIR, concat, containerComponent, ifPresent, importer,
  loadComponentFromText, pipeline, type ArtifactChannel,
} from '../../src/index.ts';
import { pyComponent } from './py.ts';

const str = () => z.string();

export const GOLDENS: Record<string, () => PipelineSpec> = {
  'kfp-ir/hello_world.yaml': () => {
    const echo = containerComponent({ name: 'echo', image: 'registry.access.redhat.com/ubi9/python-311:latest', command: ['echo'], args: ['hello world'] });
    return singleComponentPipelineSpec(echo.ir as never);
  },

  'kfp-ir/two_step_pipeline.yaml': () => {
    const writeToGcs = containerComponent({
      name: 'write-to-gcs', image: 'google/cloud-sdk:slim',
      inputs: { text: str() }, outputs: { output_gcs_path: artifact('system.Artifact') },
      command: ({ inputs, outputs }) => ['sh', '-c', 'set -e -x\necho "$0" | gsutil cp - "$1"\n', inputs.text, outputs.output_gcs_path.uri],
    });
    const readFromGcs = containerComponent({
      name: 'read-from-gcs', image: 'google/cloud-sdk:slim',
      inputs: { input_gcs_path: artifact('system.Artifact') },
      command: ({ inputs }) => ['sh', '-c', 'set -e -x\ngsutil cat "$0"\n', inputs.input_gcs_path.uri],
    });
    return pipeline({ name: 'simple-two-step-pipeline', inputs: { text: str().default('Hello KFP!') } }, ({ text }) => {
      const producer = writeToGcs({ text }).setDisplayName('Producer');
      readFromGcs({ input_gcs_path: producer.outputs.output_gcs_path }).setDisplayName('Consumer');
    }).compile();
  },

  'kfp-ir/container_with_if_placeholder.yaml': () => {
    const c = containerComponent({
      name: 'container-with-if-placeholder', image: 'registry.access.redhat.com/ubi9/python-311:latest',
      inputs: { optional_input: str().default('default') },
      outputs: { output_path: str(), dataset: artifact('system.Dataset') },
      command: ({ inputs, outputs }) => ['my_program', ifPresent('optional_input', [inputs.optional_input], ['bye']), '--dataset', ifPresent('optional_input', [outputs.dataset.uri], ['bye'])],
      args: ({ outputs }) => ['--output_path', outputs.output_path],
    });
    return singleComponentPipelineSpec(c.ir as never);
  },

  'kfp-ir/container_with_concat_placeholder.yaml': () => {
    const c = containerComponent({
      name: 'container-with-concat-placeholder', image: 'registry.access.redhat.com/ubi9/python-311:latest',
      inputs: { text1: str() },
      outputs: { output_path: str(), text2: artifact('system.Dataset') },
      command: ({ inputs, outputs }) => ['my_program', concat('prefix-', inputs.text1, outputs.text2.uri)],
      args: ({ outputs }) => ['--output_path', outputs.output_path],
    });
    return singleComponentPipelineSpec(c.ir as never);
  },

  'kfp-ir/container_with_artifact_output.yaml': () => {
    const c = containerComponent({
      name: 'container-with-artifact-output', image: 'gcr.io/my-image',
      inputs: { num_epochs: z.int() },
      outputs: { model: artifact('system.Model'), model_config_path: str() },
      command: ['sh', 'run.sh'],
      args: ({ inputs, outputs }) => ['--epochs', inputs.num_epochs, '--model_path', outputs.model.uri, '--model_metadata', outputs.model.metadata, '--model_config_path', outputs.model_config_path],
    });
    return singleComponentPipelineSpec(c.ir as never);
  },

  'kfp-ir/pipeline_with_retry.yaml': () => {
    const add = pyComponent('add', { a: z.number(), b: z.number() }, { Output: z.number() });
    return pipeline({ name: 'test-pipeline', inputs: { a: z.number().default(1), b: z.number().default(7) } }, ({ a, b }) => {
      add({ a, b }).setRetry(3);
    }).compile();
  },

  'kfp-ir/pipeline_with_resource_spec.yaml': () => {
    const ingestion = containerComponent({
      name: 'ingestion', image: 'gcr.io/my-project/my-ingestor',
      inputs: { input_location: str() }, outputs: { examples: artifact('system.Dataset') },
      args: ({ inputs, outputs }) => ['--input-location', inputs.input_location, '--output-examples', outputs.examples.uri],
    });
    const trainer = containerComponent({
      name: 'trainer', image: 'gcr.io/my-project/my-fancy-trainer',
      inputs: { examples: artifact('system.Dataset'), optimizer: str(), n_epochs: z.int() },
      outputs: { model: artifact('system.Model') },
      args: ({ inputs, outputs }) => ['--input-examples', inputs.examples.uri, '--optimizer', inputs.optimizer, '--n_epochs', inputs.n_epochs, '--output-model', outputs.model.uri],
    });
    return pipeline({
      name: 'two-step-pipeline-with-resource-spec', description: 'A linear two-step pipeline with resource specification.',
      inputs: { input_location: str().default('gs://test-bucket/pipeline_root'), optimizer: str().default('sgd'), n_epochs: z.int().default(200) },
    }, ({ input_location, optimizer, n_epochs }) => {
      const ingest = ingestion({ input_location });
      trainer({ examples: ingest.outputs.examples, optimizer, n_epochs })
        .setCpuLimit('4').setMemoryLimit('14Gi').setCpuRequest('2').setMemoryRequest('4Gi')
        .setAcceleratorType('tpu-v3').setAcceleratorLimit(1);
    }).compile();
  },

  'kfp-ir/pipeline_with_condition.yaml': () => {
    const flipCoinOp = () => pyComponent('flip-coin-op', {}, { Output: str() });
    const printOp = () => pyComponent('print-op', { msg: str() }, {});
    const flip = flipCoinOp(), print = printOp();
    return pipeline({ name: 'single-condition-pipeline', inputs: { text: str().default('condition test') } }, ({ text }) => {
      const flip1 = flip({}).setCaching(false);
      print({ msg: flip1.output });
      If(flip1.output.eq('heads'), () => {
        const flip2 = flip({}).setCaching(false);
        print({ msg: flip2.output });
        print({ msg: text });
      });
    }).compile();
  },

  'kfp-ir/pipeline_with_exit_handler.yaml': () => {
    const printOp = pyComponent('print-op', { message: str() }, {});
    const failOp = pyComponent('fail-op', { message: str() }, {});
    return pipeline({ name: 'pipeline-with-exit-handler', inputs: { message: str().default('Hello World!') } }, ({ message }) => {
      const exitTask = printOp({ message: 'Exit handler has worked!' });
      ExitHandler(exitTask, () => {
        printOp({ message });
        failOp({ message: 'Task failed.' });
      });
    }).compile();
  },

  'kfp-ir/pipeline_with_task_final_status.yaml': () => {
    const exitOp = pyComponent('exit-op', { user_input: str(), status: taskFinalStatus() }, {});
    const printOp = pyComponent('print-op', { message: str() }, {});
    const failOp = pyComponent('fail-op', { message: str() }, {});
    return pipeline({ name: 'pipeline-with-task-final-status', inputs: { message: str().default('Hello World!') } }, ({ message }) => {
      const exitTask = exitOp({ user_input: message, status: TASK_FINAL_STATUS });
      ExitHandler(exitTask, () => {
        printOp({ message });
        failOp({ message: 'Task failed.' });
      }, { name: 'my-pipeline' });
    }).compile();
  },

  'kfp-ir/pipeline_with_importer.yaml': () => {
    const train = pyComponent('train', { dataset: artifact('system.Dataset') }, { scalar: str(), model: artifact('system.Model') });
    return pipeline({ name: 'pipeline-with-importer', inputs: { dataset2: str().default('gs://ml-pipeline-playground/shakespeare2.txt') } }, ({ dataset2 }) => {
      const imp = importer({ artifactUri: 'gs://ml-pipeline-playground/shakespeare1.txt', artifactType: 'system.Dataset', reimport: false, metadata: { key: 'value' } });
      const t = train({ dataset: imp.outputs.artifact });
      If(t.outputs.scalar.eq('123'), () => {
        const imp2 = importer({ artifactUri: dataset2, artifactType: 'system.Dataset', reimport: true });
        train({ dataset: imp2.outputs.artifact });
      });
    }).compile();
  },

  'kfp-ir/pipeline_in_pipeline.yaml': () => {
    const printOp1 = pyComponent('print-op1', { msg: str() }, { Output: str() });
    const printOp2 = containerComponent({ name: 'print-op2', image: 'alpine', inputs: { msg: str() }, command: ({ inputs }) => ['echo', inputs.msg] });
    const inner = pipeline({ name: 'inner-pipeline', inputs: { msg: str() } }, ({ msg }) => {
      const t1 = printOp1({ msg });
      printOp2({ msg: t1.output });
    });
    return pipeline({ name: 'pipeline-in-pipeline' }, () => {
      printOp1({ msg: 'Hello' });
      inner({ msg: 'world' });
    }).compile();
  },

  'kfp-ir/pipeline_with_loops.yaml': () => {
    const argsGenerator = pyComponent('args-generator-op', {}, { Output: z.array(z.record(z.string(), z.string())) });
    const printText = pyComponent('print-text', { msg: str() }, {});
    const printStruct = pyComponent('print-struct', { struct: z.record(z.string(), z.unknown()) }, {});
    return pipeline({ name: 'pipeline-with-loops', inputs: { loop_parameter: z.array(z.string()).default(['a', 'b']) } }, ({ loop_parameter }) => {
      ParallelFor(loop_parameter, (item) => { printText({ msg: item }); });
      const gen = argsGenerator({});
      ParallelFor(gen.output, (item) => {
        printStruct({ struct: item as never });
        printText({ msg: item.field('A_a') });
        printText({ msg: item.field('B_b') });
      }, { itemType: 'STRUCT' });
      ParallelFor([{ A_a: '1', B_b: '2' }, { A_a: '10', B_b: '20' }], (item) => {
        printStruct({ struct: item as never });
        printText({ msg: item.field('A_a') });
        printText({ msg: item.field('B_b') });
      });
    }).compile();
  },

  'kfp-ir/pipeline_with_nested_loops.yaml': () => {
    const printOp = pyComponent('print-op', { msg: str(), msg2: str().optional() }, {});
    const loopDefault = [{ p_a: [{ q_a: '1' }, { q_a: '2' }], p_b: 'hello' }, { p_a: [{ q_a: '11' }, { q_a: '22' }], p_b: 'halo' }];
    return pipeline({ name: 'pipeline-with-nested-loops', inputs: { loop_parameter: z.array(z.record(z.string(), z.unknown())).default(loopDefault) } }, ({ loop_parameter }) => {
      ParallelFor(loop_parameter, (item) => {
        ParallelFor(item.field('p_a') as never, (inner: ReturnType<typeof item.field>) => { printOp({ msg: inner.field('q_a') }); });
      });
      ParallelFor(['1', '2'], (outer) => {
        printOp({ msg: outer });
        ParallelFor(['100', '200', '300'], (inner) => { printOp({ msg: outer, msg2: inner }); });
      });
    }).compile();
  },

  'kfp-ir/parameters_simple.yaml': () => {
    const double = pyComponent('double', { num: z.int() }, { Output: z.int() });
    const add = pyComponent('add', { nums: z.array(z.int()) }, { Output: z.int() });
    const addContainer = containerComponent({
      name: 'add-container', image: 'jetbrainsinfra/jq', inputs: { nums: z.array(z.int()) }, outputs: { sum: z.int() },
      command: ['sh', '-c'],
      args: ({ inputs, outputs }) => [`\n            set -ex\n            mkdir -p $(dirname ${outputs.sum})\n            echo ${inputs.nums} | jq 'add' > ${outputs.sum}\n            `],
    });
    return pipeline({ name: 'math-pipeline' }, () => {
      let doubled!: ReturnType<typeof double>;
      ParallelFor([1, 2, 3], (x) => { doubled = double({ num: x as never }); });
      add({ nums: Collected(doubled.output) });
      addContainer({ nums: Collected(doubled.output) });
      return { Output: Collected(doubled.output) };
    }).compile();
  },

  'kfp-ir/if_else_with_oneof_parameters.yaml': () => {
    const flipCoin = pyComponent('flip-coin', {}, { Output: str() });
    const printAndReturn = pyComponent('print-and-return', { text: str() }, { Output: str() });
    return pipeline({ name: 'flip-coin-pipeline' }, () => {
      const flip = flipCoin({});
      let heads!: ReturnType<typeof printAndReturn>, tails!: ReturnType<typeof printAndReturn>;
      If(flip.output.eq('heads'), () => { heads = printAndReturn({ text: 'Got heads!' }); })
        .Else(() => { tails = printAndReturn({ text: 'Got tails!' }); });
      const chosen = OneOf(heads.output, tails.output);
      printAndReturn({ text: chosen });
      return { Output: chosen };
    }).compile();
  },

  'kfp-ir/if_elif_else_complex.yaml': () => {
    const int0To9999 = pyComponent('int-0-to-9999', {}, { Output: z.int() });
    const isEvenOrOdd = pyComponent('is-even-or-odd', { num: z.int() }, { Output: str() });
    const printAndReturn = pyComponent('print-and-return', { text: str() }, { Output: str() });
    const printInts = pyComponent('print-ints', { ints: z.array(z.int()) }, {});
    type Ret = ReturnType<typeof printAndReturn>;
    return pipeline({
      name: 'lucky-number-pipeline',
      inputs: { add_drumroll: z.boolean().default(true), repeat_if_lucky_number: z.boolean().default(true), trials: z.array(z.int()).default([1, 2, 3]) },
    }, ({ add_drumroll, repeat_if_lucky_number, trials }) => {
      let intTask!: ReturnType<typeof int0To9999>;
      ParallelFor(trials, (trial) => {
        intTask = int0To9999({}).setCaching(false);
        If(add_drumroll.eq(true), () => {
          If(trial.eq(3), () => { printAndReturn({ text: 'Adding drumroll on last trial!' }); });
        });
        const branch = (label: string) => {
          const evenOrOdd = isEvenOrOdd({ num: intTask.output });
          let even!: Ret, odd!: Ret;
          If(evenOrOdd.output.eq('even'), () => { even = printAndReturn({ text: `Got a ${label} even number!` }); })
            .Else(() => { odd = printAndReturn({ text: `Got a ${label} odd number!` }); });
          printAndReturn({ text: OneOf(even.output, odd.output) });
        };
        If(intTask.output.lt(5000), () => branch('low'))
          .Elif(intTask.output.gt(5000), () => branch('high'))
          .Else(() => {
            printAndReturn({ text: 'Announcing: Got the lucky number 5000! A one in 10,000 chance.' });
            If(repeat_if_lucky_number.eq(true), () => {
              ParallelFor([1, 2], () => { printAndReturn({ text: 'Announcing again: Got the lucky number 5000! A one in 10,000 chance.' }); });
            });
          });
      }, { itemType: 'NUMBER_INTEGER' });
      printInts({ ints: Collected(intTask.output) });
    }).compile();
  },

  'kfp-ir/pipeline_with_parallelfor_parallelism.yaml': () => {
    const printText = pyComponent('print-text', { msg: str() }, {});
    const printInt = pyComponent('print-int', { x: z.int() }, {});
    const makers = [0, 1, 2, 3].map((i) => pyComponent(`list-dict-maker-${i}`, {}, { Output: z.array(z.unknown()) }));
    return pipeline({ name: 'pipeline-with-loops', inputs: { loop_parameter: z.array(z.string()) } }, ({ loop_parameter }) => {
      ParallelFor(loop_parameter, (item) => {
        printText({ msg: item });
        ParallelFor(loop_parameter, (inner) => { printText({ msg: inner }); });
      }, { parallelism: 2 });
      ParallelFor([{ A_a: '1', B_b: '2' }, { A_a: '10', B_b: '20' }], (item) => {
        printText({ msg: item.field('A_a') });
        printText({ msg: item.field('B_b') });
        ParallelFor([{ A_a: '10', B_b: '20' }, { A_a: '100', B_b: '200' }], (inner) => {
          printText({ msg: inner.field('A_a') });
          printText({ msg: inner.field('B_b') });
        }, { parallelism: 1 });
      });
      ParallelFor([{ a: 1, b: 2 }, { a: 2, b: 3 }, { a: 3, b: 4 }], (item) => { printInt({ x: item.field('a') as never }); }, { parallelism: 1 });
      const loopOver = (task: ReturnType<(typeof makers)[number]>, itemType: 'STRUCT' | 'STRING') =>
        ParallelFor(task.output as never, (item: ReturnType<typeof loop_parameter.field>) => { printInt({ x: item.field('a') as never }); }, { itemType });
      loopOver(makers[0]!({}), 'STRUCT');
      loopOver(makers[1]!({}), 'STRUCT');
      loopOver(makers[2]!({}), 'STRUCT');
      loopOver(makers[3]!({}), 'STRING');
      loopOver(makers[1]!({}), 'STRING');
    }).compile();
  },

  'kfp-ir/pipeline_with_task_using_ignore_upstream_failure.yaml': () => {
    const failOp = pyComponent('fail-op', { message: str() }, { Output: str() });
    const printOp = pyComponent('print-op', { message: str().default('default') }, {});
    return pipeline({ name: 'my-pipeline', inputs: { sample_input: str().default('message') } }, ({ sample_input }) => {
      const failed = failOp({ message: sample_input });
      printOp({ message: failed.output }).ignoreUpstreamFailure();
    }).compile();
  },

  'kfp-ir/artifacts_simple.yaml': () => {
    const double = pyComponent('double', { num: z.int() }, { out_dataset: artifact('system.Dataset') });
    const add = pyComponent('add', { in_datasets: artifact('system.Dataset', { list: true }) }, { out_dataset: artifact('system.Dataset') });
    const script = "\nimport argparse\nimport json\nimport os\n\ndef main(in_datasets, out_dataset_uri):\n    in_dicts = json.loads(in_datasets)\n    uris = [d['uri'] for d in in_dicts]\n    total = 0\n    for uri in uris:\n        with open(uri.replace('gs://', '/gcs/')) as f:\n            total += int(f.read())\n\n    outpath = out_dataset_uri.replace('gs://', '/gcs/')\n    os.makedirs(os.path.dirname(outpath), exist_ok=True)\n    with open(outpath, 'w') as f:\n        f.write(str(total))\n\nparser = argparse.ArgumentParser()\nparser.add_argument('in_datasets')\nparser.add_argument('out_dataset_uri')\nargs = parser.parse_args()\n\nmain(args.in_datasets, args.out_dataset_uri)\n";
    const addContainer = containerComponent({
      name: 'add-container', image: 'registry.access.redhat.com/ubi9/python-311:latest',
      inputs: { in_datasets: artifact('system.Dataset', { list: true }) }, outputs: { out_dataset: artifact('system.Dataset') },
      command: ['python', '-c'],
      args: ({ outputs }) => [script, "{{$.inputs.artifacts['in_datasets']}}", outputs.out_dataset.uri],
    });
    return pipeline({ name: 'math-pipeline' }, () => {
      let doubled!: ReturnType<typeof double>;
      ParallelFor([1, 2, 3], (x) => { doubled = double({ num: x as never }); });
      const all = Collected(doubled.outputs.out_dataset);
      add({ in_datasets: all });
      addContainer({ in_datasets: all });
      return { Output: all };
    }).compile();
  },

  'kfp-ir/take_nap_pipeline_root_compiled.yaml': () => {
    const takeNap = pyComponent('take-nap', { naptime_secs: z.int() }, { Output: str() });
    const wakeUp = pyComponent('wake-up', { message: str() }, {});
    return pipeline({ name: 'take-nap-pipeline', description: 'Pipeline that sleeps for 15 mins (900 secs)', pipelineRoot: 's3://change/me', inputs: { naptime_secs: z.int().default(900) } }, ({ naptime_secs }) => {
      const nap = takeNap({ naptime_secs }).setCaching(false);
      wakeUp({ message: nap.output }).setCaching(false);
    }).compile();
  },

  'kfp-ir/metrics_visualization_v2.yaml': () => {
    const ubi = 'registry.access.redhat.com/ubi9/python-311:latest';
    const digit = pyComponent('digit-classification', {}, { metrics: artifact('system.Metrics') }, ubi);
    const wine = pyComponent('wine-classification', {}, { metrics: artifact('system.ClassificationMetrics') }, ubi);
    const iris = pyComponent('iris-sgdclassifier', { test_samples_fraction: z.number() }, { metrics: artifact('system.ClassificationMetrics') }, ubi);
    const html = pyComponent('html-visualization', {}, { html_artifact: artifact('system.HTML') });
    const markdown = pyComponent('markdown-visualization', {}, { markdown_artifact: artifact('system.Markdown') });
    return pipeline({ name: 'metrics-visualization-pipeline' }, () => {
      wine({});
      iris({ test_samples_fraction: 0.3 });
      digit({});
      html({});
      markdown({});
    }).compile();
  },

  'kfp-ir/pipeline_in_pipeline_loaded_from_yaml.yaml': () => {
    // The middle pipeline is compiled to YAML text and loaded back, as `load_component_from_file` would.
    const printOp1 = pyComponent('print-op1', { msg: str() }, { Output: str() });
    const printOp2 = containerComponent({
      name: 'print-op2', image: 'alpine', inputs: { msg: str() }, outputs: { data: artifact('system.Artifact') },
      command: ['sh', '-c', 'mkdir --parents $(dirname "$1") && echo "$0" > "$1"'],
      args: ({ inputs, outputs }) => [inputs.msg, outputs.data.path],
    });
    const inner = pipeline({ name: 'inner-pipeline', inputs: { msg: str() } }, ({ msg }) => {
      const t1 = printOp1({ msg });
      const t2 = printOp2({ msg: t1.output });
      return { msg: t1.output, data: t2.outputs.data };
    });
    const middle = pipeline({ name: 'pipeline-in-pipeline', inputs: { msg: str().default('Hello') } }, ({ msg }) => {
      printOp1({ msg });
      return { Output: inner({ msg: 'world' }).outputs.data! };
    });
    const loaded = componentFromIR(loadComponentFromText(irToYaml(middle.compile()), 'pipeline-in-pipeline.yaml'));
    const printArtifact = pyComponent('print-op1', { data: artifact('system.Artifact') }, {});
    return pipeline({ name: 'pipeline-in-pipeline' }, () => {
      const t = loaded({ msg: 'Hello' });
      printArtifact({ data: t.outputs.Output as never });
    }).compile();
  },

  'kfp-ir/pipeline_with_parallelfor_list_artifacts_GH-12033.yaml': () => {
    const makeArtifact = pyComponent('make-artifact', { data: str() }, { Output: artifact('system.Artifact') });
    const makeDataset = pyComponent('make-dataset', { data: str() }, { Output: artifact('system.Dataset') });
    const printArtifactName = pyComponent('print-artifact-name', { artifact: artifact('system.Artifact') }, { Output: str() });
    const texts = z.array(z.string()).default(['Hello', ',', ' ', 'world!']);
    const makeArtifacts = pipeline({ name: 'make-artifacts', inputs: { texts } }, ({ texts: items }) => {
      let made!: ReturnType<typeof makeArtifact>;
      ParallelFor(items, (text) => { made = makeArtifact({ data: text }); });
      return { Output: Collected(made.output) };
    });
    const makeDatasets = pipeline({ name: 'make-datasets', inputs: { texts } }, ({ texts: items }) => {
      let made!: ReturnType<typeof makeDataset>;
      ParallelFor(items, (text) => { made = makeDataset({ data: text }); });
      return { Output: Collected(made.output) };
    });
    return pipeline({ name: 'pipeline-parallelfor-artifacts' }, () => {
      ParallelFor(makeArtifacts({}).outputs.Output as ArtifactChannel, (a) => { printArtifactName({ artifact: a }); });
      ParallelFor(makeDatasets({}).outputs.Output as ArtifactChannel, (d) => { printArtifactName({ artifact: d }); });
    }).compile();
  },
};
