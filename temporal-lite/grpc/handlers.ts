// Handler maps typed by the service definitions of @temporalio/proto: a handler named after a
// method takes that method's request and answers with its response, both in their Plain shape.
import type { grpc, temporal } from '@temporalio/proto';
import type { CallContext } from './call-context.js';
import type { Plain } from './plain.js';
import type { WithRawHistory } from './raw-history.js';

/** The unary methods of a service class, by their proto names ('StartWorkflowExecution'). */
type Methods<Service> = {
  [K in keyof Service as Service[K] extends { readonly name: infer Name extends string; readonly requestStream: undefined } ? Name : never]: Service[K];
};

// Each method is declared with a callback overload and a promise overload; inference reads the last, the promise one.
type RequestOf<Method> = Method extends (request: infer Request) => Promise<unknown> ? Plain<Request> : never;
type ResponseOf<Method> = Method extends (request: never) => Promise<infer Response> ? Plain<Partial<Omit<Response, 'toJSON'>>> : never;

export type ServiceRequest<Service, Name extends keyof Methods<Service>> = RequestOf<Methods<Service>[Name]>;
export type ServiceResponse<Service, Name extends keyof Methods<Service>> = ResponseOf<Methods<Service>[Name]> &
  WithRawHistory<ResponseOf<Methods<Service>[Name]>>;

export type Handler<Request, Response> = (request: Request, ctx: CallContext) => Response | Promise<Response>;

/** Handlers for some of a service's methods; the others answer UNIMPLEMENTED. */
export type ServiceHandlers<Service> = {
  [Name in keyof Methods<Service>]?: Handler<ServiceRequest<Service, Name>, ServiceResponse<Service, Name>>;
};

export type WorkflowService = temporal.api.workflowservice.v1.WorkflowService;
export type OperatorService = temporal.api.operatorservice.v1.OperatorService;
export type TestService = temporal.api.testservice.v1.TestService;
export type HealthService = grpc.health.v1.Health;

export type WorkflowServiceHandlers = ServiceHandlers<WorkflowService>;
type WorkflowServiceMethod = keyof Methods<WorkflowService>;
export type WorkflowServiceRequest<Name extends WorkflowServiceMethod> = ServiceRequest<WorkflowService, Name>;
export type WorkflowServiceResponse<Name extends WorkflowServiceMethod> = ServiceResponse<WorkflowService, Name>;
export type OperatorServiceHandlers = ServiceHandlers<OperatorService>;
export type TestServiceHandlers = ServiceHandlers<TestService>;
