// What every module declares about itself. The compiler validates task arguments with
// `argumentSchema` (ajv); the executor calls the implementation registered with it.
export interface ModuleDefinition {
  name: string;
  /** One line for `--help`-style listings and "did you mean" suggestions. */
  summary: string;
  /** JSON Schema (draft-07, ajv) of the module's arguments after free-form expansion. */
  argumentSchema: Record<string, unknown>;
  /**
   * When the task gives a plain string instead of a mapping (`command: echo hi`),
   * the argument it fills. Undefined: a mapping is required.
   */
  freeFormArgument?: string;
  /** Arguments whose values are secrets: never printed, logged or put in events. */
  secretArguments: string[];
  /** True when the module runs on the controller only (no connection needed). */
  controllerOnly: boolean;
}
