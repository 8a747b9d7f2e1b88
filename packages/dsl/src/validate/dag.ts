// Structural rules inside one DAG component: task references, input wiring and types, iterators,
// trigger conditions, dependency cycles and the DAG's output selectors.
import type { JsonValue } from '@formalize/common';
import { artifactLabel, artifactTypesCompatible, constantMismatch, parameterTypesCompatible } from './compat.ts';
import { findCycles } from './graph.ts';
import type { Issue } from './issues.ts';
import { joinPath } from './issues.ts';
import type { LComponent, LTask } from './shape.ts';
import { didYouMean, listNames } from './suggest.ts';
import { forEachString } from './walk.ts';

export interface SpecContext {
  components: Record<string, LComponent | undefined>;
  /** Per component name, the inputs an iterator injects (loop items): never wired by the task, never type-checked. */
  loopItems: Map<string, Set<string>>;
  issues: Issue[];
}

type TaskParam = NonNullable<NonNullable<NonNullable<LTask['inputs']>['parameters']>[string]>;
type TaskArtifact = NonNullable<NonNullable<NonNullable<LTask['inputs']>['artifacts']>[string]>;

/** What a wired input resolves to, for type checks; undefined when unknown or when the check is waived. */
type ParamSource = { type: string; what: string } | undefined;
type ArtifactSource = { title?: string; version?: string; isList?: boolean; what: string } | undefined;

class DagChecker {
  private readonly ctx: SpecContext;
  private readonly comp: LComponent;
  private readonly compName: string;
  private readonly path: string;
  private readonly tasks: Record<string, LTask | undefined>;

  constructor(ctx: SpecContext, comp: LComponent, compName: string, path: string) {
    this.ctx = ctx;
    this.comp = comp;
    this.compName = compName;
    this.path = path;
    this.tasks = comp.dag?.tasks ?? {};
  }

  private add(path: string, message: string): void {
    this.ctx.issues.push({ path, message });
  }

  private get label(): string {
    return this.compName === 'root' ? 'the pipeline (root)' : `component "${this.compName}"`;
  }

  run(): void {
    for (const [name, task] of Object.entries(this.tasks)) if (task) this.task(name, task);
    this.cycles();
    this.outputs();
  }

  private callee(task: LTask, tpath: string): { name: string; comp: LComponent } | undefined {
    const name = task.componentRef?.name;
    if (!name) {
      this.add(joinPath(tpath, 'componentRef'), 'componentRef.name is required (the component this task runs)');
      return undefined;
    }
    const comp = this.ctx.components[name];
    if (!comp) {
      this.add(joinPath(tpath, 'componentRef.name'), `component "${name}" does not exist in components${didYouMean(name, Object.keys(this.ctx.components))}`);
      return undefined;
    }
    return { name, comp };
  }

  private producer(name: string | undefined, path: string): { name: string; task: LTask; comp: LComponent | undefined } | undefined {
    if (!name) {
      this.add(path, 'producerTask is required');
      return undefined;
    }
    const task = this.tasks[name];
    if (!task) {
      this.add(path, `producer task "${name}" does not exist in this DAG (${this.label}; tasks: ${listNames(Object.keys(this.tasks))})${didYouMean(name, Object.keys(this.tasks))}`);
      return undefined;
    }
    const compName = task.componentRef?.name;
    return { name, task, comp: compName ? this.ctx.components[compName] : undefined };
  }

  private task(tname: string, task: LTask): void {
    const tpath = joinPath(joinPath(this.path, 'dag.tasks'), tname);
    const callee = this.callee(task, tpath);
    const items = new Set([task.parameterIterator?.itemInput, task.artifactIterator?.itemInput].filter((x): x is string => !!x));

    const injected = constantRefs(task, tpath);
    for (const [pname, pin] of Object.entries(task.inputs?.parameters ?? {})) {
      const extra = injected.has(pname) && !callee?.comp.inputDefinitions?.parameters?.[pname];
      if (pin) this.taskParam(tname, pname, pin, extra ? undefined : callee, joinPath(joinPath(tpath, 'inputs.parameters'), pname));
    }
    for (const [ref, where] of injected) {
      if (!task.inputs?.parameters?.[ref] && !callee?.comp.inputDefinitions?.parameters?.[ref]) {
        this.add(where, `placeholder refers to input "${ref}", which the task does not wire in inputs.parameters`);
      }
    }
    for (const [aname, ain] of Object.entries(task.inputs?.artifacts ?? {})) {
      if (ain) this.taskArtifact(aname, ain, callee, joinPath(joinPath(tpath, 'inputs.artifacts'), aname));
    }
    if (callee) this.requiredInputs(task, callee, items, tpath);

    (task.dependentTasks ?? []).forEach((dep, i) => {
      const p = joinPath(joinPath(tpath, 'dependentTasks'), i);
      if (dep === tname) this.add(p, `task "${tname}" depends on itself`);
      else if (!this.tasks[dep]) this.add(p, `dependent task "${dep}" does not exist in this DAG (${this.label})${didYouMean(dep, Object.keys(this.tasks))}`);
    });

    this.condition(task, tpath);
    this.iterators(task, callee, tpath);
  }

  private taskParam(tname: string, pname: string, pin: TaskParam, callee: { name: string; comp: LComponent } | undefined, ppath: string): void {
    const expected = callee?.comp.inputDefinitions?.parameters?.[pname];
    if (callee && !expected) {
      if (callee.comp.inputDefinitions?.artifacts?.[pname]) this.add(ppath, `"${pname}" is an artifact input of component "${callee.name}"; wire it under inputs.artifacts`);
      else this.add(ppath, `component "${callee.name}" has no input parameter "${pname}"${didYouMean(pname, Object.keys(callee.comp.inputDefinitions?.parameters ?? {}))}`);
    }
    const source = this.paramSource(tname, pin, ppath);
    const expectedType = expected?.parameterType;
    if (!expectedType) return;
    if (pin.runtimeValue && pin.runtimeValue.constant !== undefined) {
      const why = constantMismatch(pin.runtimeValue.constant as JsonValue, expectedType);
      if (why) this.add(joinPath(ppath, 'runtimeValue.constant'), `${why} (input "${pname}" of component "${callee?.name}" is ${expectedType})`);
    }
    // A selector reshapes the value at run time, so its type is not the source's type.
    if (!source || pin.parameterExpressionSelector !== undefined) return;
    if (!parameterTypesCompatible(source.type, expectedType)) {
      this.add(ppath, `type mismatch: ${source.what} is ${source.type}, but input "${pname}" of component "${callee?.name}" is ${expectedType}`);
    }
  }

  private paramSource(tname: string, pin: TaskParam, ppath: string): ParamSource {
    const own = this.comp.inputDefinitions;
    if (pin.componentInputParameter !== undefined) {
      const n = pin.componentInputParameter;
      const def = own?.parameters?.[n];
      const p = joinPath(ppath, 'componentInputParameter');
      if (!def) {
        if (own?.artifacts?.[n]) this.add(p, `"${n}" is an artifact input of ${this.label}, not a parameter; use componentInputArtifact under inputs.artifacts`);
        else this.add(p, `${this.label} has no input parameter "${n}"${didYouMean(n, Object.keys(own?.parameters ?? {}))}`);
        return undefined;
      }
      if (this.ctx.loopItems.get(this.compName)?.has(n) || !def.parameterType) return undefined;
      return { type: def.parameterType, what: `input "${n}" of ${this.label}` };
    }
    if (pin.taskOutputParameter) {
      const { producerTask, outputParameterKey: key } = pin.taskOutputParameter;
      const prod = this.producer(producerTask, joinPath(ppath, 'taskOutputParameter.producerTask'));
      if (!prod || !prod.comp) return undefined;
      const kp = joinPath(ppath, 'taskOutputParameter.outputParameterKey');
      if (!key) {
        this.add(kp, 'outputParameterKey is required');
        return undefined;
      }
      const out = prod.comp.outputDefinitions?.parameters?.[key];
      if (!out) {
        if (prod.comp.outputDefinitions?.artifacts?.[key]) this.add(kp, `output "${key}" of task "${prod.name}" is an artifact; an artifact cannot feed a parameter input (use inputs.artifacts with taskOutputArtifact)`);
        else this.add(kp, `task "${prod.name}" (component "${prod.task.componentRef?.name}") has no output parameter "${key}"${didYouMean(key, Object.keys(prod.comp.outputDefinitions?.parameters ?? {}))}`);
        return undefined;
      }
      if (prod.name === tname) this.add(ppath, `task "${tname}" consumes its own output`);
      return out.parameterType ? { type: out.parameterType, what: `output "${key}" of task "${prod.name}"` } : undefined;
    }
    if (pin.taskFinalStatus) {
      const prod = this.producer(pin.taskFinalStatus.producerTask, joinPath(ppath, 'taskFinalStatus.producerTask'));
      return prod ? { type: 'TASK_FINAL_STATUS', what: `the final status of task "${prod.name}"` } : undefined;
    }
    if (pin.runtimeValue) {
      if (pin.runtimeValue.constant === undefined) this.add(joinPath(ppath, 'runtimeValue'), 'runtimeValue needs a constant');
      return undefined;
    }
    this.add(ppath, 'has no value source: set one of componentInputParameter, taskOutputParameter, runtimeValue, taskFinalStatus');
    return undefined;
  }

  private taskArtifact(aname: string, ain: TaskArtifact, callee: { name: string; comp: LComponent } | undefined, apath: string): void {
    const expected = callee?.comp.inputDefinitions?.artifacts?.[aname];
    if (callee && !expected) {
      if (callee.comp.inputDefinitions?.parameters?.[aname]) this.add(apath, `"${aname}" is a parameter input of component "${callee.name}"; an artifact cannot feed it (wire it under inputs.parameters)`);
      else this.add(apath, `component "${callee.name}" has no input artifact "${aname}"${didYouMean(aname, Object.keys(callee.comp.inputDefinitions?.artifacts ?? {}))}`);
    }
    const source = this.artifactSource(ain, apath);
    if (!expected || !source) return;
    const want = { schemaTitle: expected.artifactType?.schemaTitle, schemaVersion: expected.artifactType?.schemaVersion, isArtifactList: expected.isArtifactList };
    const got = { schemaTitle: source.title, schemaVersion: source.version, isArtifactList: source.isList };
    if (!!got.isArtifactList !== !!want.isArtifactList || !artifactTypesCompatible(got, want)) {
      this.add(apath, `type mismatch: ${source.what} is ${artifactLabel(got)}, but input "${aname}" of component "${callee?.name}" is ${artifactLabel(want)}`);
    }
  }

  private artifactSource(ain: TaskArtifact, apath: string): ArtifactSource {
    const own = this.comp.inputDefinitions;
    if (ain.componentInputArtifact !== undefined) {
      const n = ain.componentInputArtifact;
      const def = own?.artifacts?.[n];
      const p = joinPath(apath, 'componentInputArtifact');
      if (!def) {
        if (own?.parameters?.[n]) this.add(p, `"${n}" is a parameter input of ${this.label}, not an artifact; use componentInputParameter under inputs.parameters`);
        else this.add(p, `${this.label} has no input artifact "${n}"${didYouMean(n, Object.keys(own?.artifacts ?? {}))}`);
        return undefined;
      }
      if (this.ctx.loopItems.get(this.compName)?.has(n)) return undefined;
      return { title: def.artifactType?.schemaTitle, version: def.artifactType?.schemaVersion, isList: def.isArtifactList, what: `input "${n}" of ${this.label}` };
    }
    if (ain.taskOutputArtifact) {
      const { producerTask, outputArtifactKey: key } = ain.taskOutputArtifact;
      const prod = this.producer(producerTask, joinPath(apath, 'taskOutputArtifact.producerTask'));
      if (!prod || !prod.comp) return undefined;
      const kp = joinPath(apath, 'taskOutputArtifact.outputArtifactKey');
      if (!key) {
        this.add(kp, 'outputArtifactKey is required');
        return undefined;
      }
      const out = prod.comp.outputDefinitions?.artifacts?.[key];
      if (!out) {
        if (prod.comp.outputDefinitions?.parameters?.[key]) this.add(kp, `output "${key}" of task "${prod.name}" is a parameter; a parameter cannot feed an artifact input (use inputs.parameters with taskOutputParameter)`);
        else this.add(kp, `task "${prod.name}" (component "${prod.task.componentRef?.name}") has no output artifact "${key}"${didYouMean(key, Object.keys(prod.comp.outputDefinitions?.artifacts ?? {}))}`);
        return undefined;
      }
      return { title: out.artifactType?.schemaTitle, version: out.artifactType?.schemaVersion, isList: out.isArtifactList, what: `output "${key}" of task "${prod.name}"` };
    }
    this.add(apath, 'has no value source: set componentInputArtifact or taskOutputArtifact');
    return undefined;
  }

  private requiredInputs(task: LTask, callee: { name: string; comp: LComponent }, items: Set<string>, tpath: string): void {
    const defs = callee.comp.inputDefinitions;
    for (const [n, def] of Object.entries(defs?.parameters ?? {})) {
      if (!def || def.isOptional || def.defaultValue !== undefined || items.has(n) || task.inputs?.parameters?.[n]) continue;
      this.add(joinPath(joinPath(tpath, 'inputs.parameters'), n), `required input parameter "${n}" of component "${callee.name}" is not provided`);
    }
    for (const [n, def] of Object.entries(defs?.artifacts ?? {})) {
      if (!def || def.isOptional || items.has(n) || task.inputs?.artifacts?.[n]) continue;
      this.add(joinPath(joinPath(tpath, 'inputs.artifacts'), n), `required input artifact "${n}" of component "${callee.name}" is not provided`);
    }
  }

  /** A trigger condition reads the task's own inputs (`inputs.parameter_values['x']`); each must be wired. */
  private condition(task: LTask, tpath: string): void {
    const cond = task.triggerPolicy?.condition;
    if (!cond) return;
    for (const m of cond.matchAll(/inputs\.parameter_values\[\s*(['"])(.*?)\1\s*\]/g)) {
      const n = m[2]!;
      if (!task.inputs?.parameters?.[n]) {
        this.add(joinPath(tpath, 'triggerPolicy.condition'), `condition reads input "${n}", which the task does not wire in inputs.parameters${didYouMean(n, Object.keys(task.inputs?.parameters ?? {}))}`);
      }
    }
  }

  private iterators(task: LTask, callee: { name: string; comp: LComponent } | undefined, tpath: string): void {
    const pit = task.parameterIterator;
    if (pit) {
      const ipath = joinPath(tpath, 'parameterIterator');
      const { raw, inputParameter } = pit.items ?? {};
      if (inputParameter !== undefined) {
        if (!task.inputs?.parameters?.[inputParameter]) this.add(joinPath(ipath, 'items.inputParameter'), `iterator items input "${inputParameter}" is not wired in the task's inputs.parameters`);
      } else if (raw !== undefined) {
        if (!isJsonArrayText(raw)) this.add(joinPath(ipath, 'items.raw'), 'must be the JSON text of a list');
      } else {
        this.add(joinPath(ipath, 'items'), 'set raw or inputParameter');
      }
      if (!pit.itemInput) this.add(joinPath(ipath, 'itemInput'), 'itemInput is required (the loop-item input of the iterated component)');
      else if (callee && !callee.comp.inputDefinitions?.parameters?.[pit.itemInput]) {
        this.add(joinPath(ipath, 'itemInput'), `component "${callee.name}" has no input parameter "${pit.itemInput}" to receive the loop item`);
      }
    }
    const ait = task.artifactIterator;
    if (ait) {
      const ipath = joinPath(tpath, 'artifactIterator');
      const input = ait.items?.inputArtifact;
      if (!input) this.add(joinPath(ipath, 'items.inputArtifact'), 'inputArtifact is required');
      else if (!task.inputs?.artifacts?.[input]) this.add(joinPath(ipath, 'items.inputArtifact'), `iterator items input "${input}" is not wired in the task's inputs.artifacts`);
      if (!ait.itemInput) this.add(joinPath(ipath, 'itemInput'), 'itemInput is required (the loop-item input of the iterated component)');
      else if (callee && !callee.comp.inputDefinitions?.artifacts?.[ait.itemInput]) {
        this.add(joinPath(ipath, 'itemInput'), `component "${callee.name}" has no input artifact "${ait.itemInput}" to receive the loop item`);
      }
    }
  }

  /** Upstream edges: dependentTasks plus every producer a task reads from. */
  private cycles(): void {
    const edges = new Map<string, string[]>();
    for (const [name, task] of Object.entries(this.tasks)) {
      const ups = new Set(task?.dependentTasks ?? []);
      for (const p of Object.values(task?.inputs?.parameters ?? {})) {
        const prod = p?.taskOutputParameter?.producerTask ?? p?.taskFinalStatus?.producerTask;
        if (prod) ups.add(prod);
      }
      for (const a of Object.values(task?.inputs?.artifacts ?? {})) {
        if (a?.taskOutputArtifact?.producerTask) ups.add(a.taskOutputArtifact.producerTask);
      }
      ups.delete(name); // self-dependencies are reported where they are written
      edges.set(name, [...ups]);
    }
    for (const cycle of findCycles(edges)) {
      this.add(joinPath(joinPath(this.path, 'dag.tasks'), cycle[0]!), `dependency cycle: ${cycle.join(' -> ')} (each task waits for the next)`);
    }
  }

  private outputs(): void {
    const outs = this.comp.dag?.outputs;
    const declared = this.comp.outputDefinitions;
    const opath = joinPath(this.path, 'dag.outputs');
    for (const [name, o] of Object.entries(outs?.parameters ?? {})) {
      const p = joinPath(joinPath(opath, 'parameters'), name);
      const def = declared?.parameters?.[name];
      if (!def) this.add(p, `"${name}" is not declared in outputDefinitions.parameters of ${this.label}`);
      const selectors = o?.valueFromParameter ? [{ s: o.valueFromParameter, p: joinPath(p, 'valueFromParameter') }]
        : (o?.valueFromOneof?.parameterSelectors ?? []).map((s, i) => ({ s, p: joinPath(joinPath(p, 'valueFromOneof.parameterSelectors'), i) }));
      if (!selectors.length) this.add(p, 'has no selector: set valueFromParameter or valueFromOneof');
      for (const { s, p: sp } of selectors) {
        const produced = this.selectedOutput(s.producerSubtask, s.outputParameterKey, 'parameter', sp);
        const t = produced?.parameterType;
        // A loop DAG collects its iterations' values into a LIST (dsl.Collected).
        if (t && def?.parameterType && def.parameterType !== 'LIST' && !parameterTypesCompatible(t, def.parameterType)) {
          this.add(sp, `type mismatch: output "${s.outputParameterKey}" of task "${s.producerSubtask}" is ${t}, but DAG output "${name}" is ${def.parameterType}`);
        }
      }
    }
    for (const [name, o] of Object.entries(outs?.artifacts ?? {})) {
      const p = joinPath(joinPath(opath, 'artifacts'), name);
      const def = declared?.artifacts?.[name];
      if (!def) this.add(p, `"${name}" is not declared in outputDefinitions.artifacts of ${this.label}`);
      const selectors = o?.artifactSelectors ?? [];
      if (!selectors.length) this.add(p, 'has no artifactSelectors');
      selectors.forEach((s, i) => {
        const sp = joinPath(joinPath(p, 'artifactSelectors'), i);
        const produced = this.selectedOutput(s.producerSubtask, s.outputArtifactKey, 'artifact', sp);
        if (!produced || !def) return;
        const got = { schemaTitle: produced.artifactType?.schemaTitle, schemaVersion: produced.artifactType?.schemaVersion };
        const want = { schemaTitle: def.artifactType?.schemaTitle, schemaVersion: def.artifactType?.schemaVersion };
        if (!artifactTypesCompatible(got, want)) {
          this.add(sp, `type mismatch: output "${s.outputArtifactKey}" of task "${s.producerSubtask}" is ${artifactLabel(got)}, but DAG output "${name}" is ${artifactLabel(want)}`);
        }
      });
    }
    // The SDK itself leaves some root outputs unproduced (GCPC's create_custom_training_job_from_component),
    // and nothing consumes root outputs inside the run; a sub-DAG output that is missing breaks its consumers.
    if (this.compName === 'root') return;
    for (const name of Object.keys(declared?.parameters ?? {})) {
      if (!outs?.parameters?.[name]) this.add(joinPath(joinPath(this.path, 'outputDefinitions.parameters'), name), `output "${name}" is declared but dag.outputs.parameters does not produce it`);
    }
    for (const name of Object.keys(declared?.artifacts ?? {})) {
      if (!outs?.artifacts?.[name]) this.add(joinPath(joinPath(this.path, 'outputDefinitions.artifacts'), name), `output "${name}" is declared but dag.outputs.artifacts does not produce it`);
    }
  }

  private selectedOutput(subtask: string | undefined, key: string | undefined, kind: 'parameter', path: string): { parameterType?: string } | undefined;
  private selectedOutput(subtask: string | undefined, key: string | undefined, kind: 'artifact', path: string): { artifactType?: { schemaTitle?: string; schemaVersion?: string } } | undefined;
  private selectedOutput(subtask: string | undefined, key: string | undefined, kind: 'parameter' | 'artifact', path: string): object | undefined {
    if (!subtask) {
      this.add(joinPath(path, 'producerSubtask'), 'producerSubtask is required');
      return undefined;
    }
    const task = this.tasks[subtask];
    if (!task) {
      this.add(joinPath(path, 'producerSubtask'), `subtask "${subtask}" does not exist in this DAG (${this.label}; tasks: ${listNames(Object.keys(this.tasks))})${didYouMean(subtask, Object.keys(this.tasks))}`);
      return undefined;
    }
    const comp = task.componentRef?.name ? this.ctx.components[task.componentRef.name] : undefined;
    const keyField = kind === 'parameter' ? 'outputParameterKey' : 'outputArtifactKey';
    if (!key) {
      this.add(joinPath(path, keyField), `${keyField} is required`);
      return undefined;
    }
    if (!comp) return undefined;
    const outs = comp.outputDefinitions;
    const found = kind === 'parameter' ? outs?.parameters?.[key] : outs?.artifacts?.[key];
    if (!found) {
      const other = kind === 'parameter' ? outs?.artifacts?.[key] : outs?.parameters?.[key];
      const names = Object.keys((kind === 'parameter' ? outs?.parameters : outs?.artifacts) ?? {});
      this.add(joinPath(path, keyField), other
        ? `output "${key}" of task "${subtask}" is ${kind === 'parameter' ? 'an artifact' : 'a parameter'}, not ${kind === 'parameter' ? 'a parameter' : 'an artifact'}`
        : `task "${subtask}" (component "${task.componentRef?.name}") has no output ${kind} "${key}"${didYouMean(key, names)}`);
      return undefined;
    }
    return found;
  }
}

const INPUT_PARAM_PLACEHOLDER = /\{\{\$\.inputs\.parameters\['([^']*)'\]\}\}/g;

/**
 * Inputs that the task's own constants read through `{{$.inputs.parameters['x']}}`, with where they are read.
 * The SDK wires such values (f-strings over pipeline channels) as extra task inputs the component does not declare.
 */
function constantRefs(task: LTask, tpath: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const [name, p] of Object.entries(task.inputs?.parameters ?? {})) {
    if (p?.runtimeValue?.constant === undefined) continue;
    const at = joinPath(joinPath(joinPath(tpath, 'inputs.parameters'), name), 'runtimeValue.constant');
    forEachString(p.runtimeValue.constant, at, (s, path) => {
      for (const m of s.matchAll(INPUT_PARAM_PLACEHOLDER)) if (!refs.has(m[1]!)) refs.set(m[1]!, path);
    });
  }
  return refs;
}

function isJsonArrayText(raw: string): boolean {
  try {
    return Array.isArray(JSON.parse(raw));
  } catch {
    return false;
  }
}

/** Checks the DAG of `comp` (named `compName`, at document path `path`). */
export function checkDag(ctx: SpecContext, comp: LComponent, compName: string, path: string): void {
  new DagChecker(ctx, comp, compName, path).run();
}
