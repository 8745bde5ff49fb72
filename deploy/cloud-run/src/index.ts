// The deploy command's parts, for tests and for scripts that drive a deploy themselves.
export { deploy, endpointMessage, REPO_ROOT, type DeployContext } from "./deploy.js";
export {
  parseDeployArgs,
  usage,
  UsageError,
  DEFAULT_REPOSITORY,
  DEFAULT_SERVICE,
  type Access,
  type DeployOptions,
} from "./options.js";
export {
  deploySteps,
  imageRef,
  policyGrants,
  registryHost,
  DOCKERFILE,
  IMAGE_NAME,
  INVOKER_ROLE,
  PLATFORM,
  PUBLIC_MEMBERS,
  RENDERED_SERVICE_YAML,
  type DeployTarget,
  type Step,
} from "./plan.js";
export {
  checkPrerequisites,
  PrerequisiteError,
  PROBES,
  REQUIRED_TOOLS,
  type PrerequisiteContext,
  type ResolvedLocation,
} from "./prerequisites.js";
export { spawnRunner, type CommandRunner, type RunOptions, type RunResult } from "./runner.js";
export {
  readServiceTemplate,
  renderServiceYaml,
  validateServiceYaml,
  ServiceYamlError,
  SERVICE_TEMPLATE_PATH,
  type ServiceValues,
} from "./service-yaml.js";
export { sourceRevision, REVISION_PROBES } from "./source-revision.js";
