export { type Authorizer, createAuthorizer } from "./authorizer.js";
export { type CheckResponse, decisionToResponse } from "./check-response.js";
export type {
  AuthzSteps,
  BuiltInput,
  CheckSpan,
  CheckStep,
  CheckTracer,
  DecisionRecord,
  DecisionSink,
  Identity,
  IdentityOutcome,
  RequestContext,
} from "./types.js";
