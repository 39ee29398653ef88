/**
 * A Rego set as the builtins that declare they take sets receive one (`SET_BUILTINS`), and as
 * those that return sets give one back. Its members are in topdown's set order (ast.Compare) and
 * unique: build one with `setOf`, which sorts. Every other builtin receives a set as an array of
 * those members, which is what topdown's JSON of a set is.
 */
export class RegoSet {
  constructor(readonly members: unknown[]) {}

  /** topdown's JSON for a set: its members, in order. */
  toJSON(): unknown[] {
    return this.members;
  }
}
