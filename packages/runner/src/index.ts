export { runPipeline, newRunId, PreflightError, type RunOptions } from './run.ts';
export { parseParamText, resolveParameters, resolveInputArtifacts, ParameterError, type InputArtifact } from './params.ts';
export { createProcessLauncher } from './launchers/process.ts';
export { createHostLauncher } from './launchers/host.ts';
export { discoverWorkspaceComponents, type WorkspaceComponent } from './workspace.ts';
export type * from './types.ts';
export { createDockerLauncher, PULL_POLICIES, type DockerLauncherOptions, type PullPolicy } from './launchers/docker.ts';
export { TASK_UID, TASK_GID } from './launchers/docker-user.ts';
export { WAREHOUSE_ENV, METADATA_STORE_ENV, withStoreEnv } from './task-env.ts';
