// The HTTP routes of Temporal's HTTP API, derived from the google.api.http rules that the
// service definitions carry (each rule and its additional_bindings), never written by hand.
import { httpRuleOf, reflectedMethods, type HttpRule, type ReflectedMethod } from './reflection.js';

export const HTTP_VERBS = ['get', 'post', 'put', 'delete', 'patch'] as const;
export type HttpVerb = (typeof HTTP_VERBS)[number];

/** A literal path segment, or one bound to a (dotted) field path of the request, in .proto names. */
export type Segment = { literal: string } | { fieldPath: string[] };

export interface HttpRoute {
  /** 'temporal.api.workflowservice.v1.WorkflowService' */
  serviceName: string;
  method: ReflectedMethod;
  verb: HttpVerb;
  /** As the rule writes it: '/api/v1/namespaces/{namespace}/workflows/{execution.workflow_id}'. */
  template: string;
  segments: Segment[];
  /** '*' (the whole request), a field name (that field), or undefined (no body: query parameters). */
  body?: string;
}

export const SERVED_SERVICES = ['temporal.api.workflowservice.v1.WorkflowService', 'temporal.api.operatorservice.v1.OperatorService'] as const;

function bindingsOf(rule: HttpRule): HttpRule[] {
  const additional = rule.additional_bindings;
  return [rule, ...(Array.isArray(additional) ? additional : additional ? [additional] : [])];
}

function parseTemplate(template: string): Segment[] {
  return template
    .split('/')
    .slice(1)
    .map((part) => {
      const variable = /^\{([A-Za-z0-9_.]+)\}$/.exec(part);
      if (variable) return { fieldPath: variable[1].split('.') };
      if (part.includes('{')) throw new Error(`unsupported path template segment '${part}' in ${template}`);
      return { literal: part };
    });
}

/** Every binding of every unary method of `serviceNames` that has an HTTP rule. */
export function deriveRoutes(serviceNames: readonly string[] = SERVED_SERVICES): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const serviceName of serviceNames) {
    for (const method of reflectedMethods(serviceName)) {
      const rule = httpRuleOf(method);
      if (!rule || method.requestStream || method.responseStream) continue;
      for (const binding of bindingsOf(rule)) {
        const verb = HTTP_VERBS.find((candidate) => binding[candidate] !== undefined);
        const template = verb && binding[verb];
        if (!verb || !template) continue;
        routes.push({ serviceName, method, verb, template, segments: parseTemplate(template), body: binding.body || undefined });
      }
    }
  }
  return routes.sort(bySpecificity);
}

/** Literal segments before variables, position by position: `/workflows/{id}/history` before `/workflows/{id}/{x}`. */
function bySpecificity(a: HttpRoute, b: HttpRoute): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const literalA = 'literal' in a.segments[i];
    const literalB = 'literal' in b.segments[i];
    if (literalA !== literalB) return literalA ? -1 : 1;
  }
  return 0;
}

export interface RouteMatch {
  route: HttpRoute;
  /** The path's variables: field path and the decoded segment. */
  params: Array<{ fieldPath: string[]; value: string }>;
}

/** Splits a URL path into decoded segments; undefined if a segment does not decode. */
export function pathSegments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** The route for a request, or whether the path exists under other verbs. */
export function matchRoute(routes: readonly HttpRoute[], verb: string, segments: readonly string[]): RouteMatch | { otherVerbs: HttpVerb[] } {
  const otherVerbs: HttpVerb[] = [];
  for (const route of routes) {
    const params = matchSegments(route.segments, segments);
    if (!params) continue;
    if (route.verb === verb.toLowerCase()) return { route, params };
    otherVerbs.push(route.verb);
  }
  return { otherVerbs };
}

function matchSegments(template: readonly Segment[], segments: readonly string[]): RouteMatch['params'] | undefined {
  if (template.length !== segments.length) return undefined;
  const params: RouteMatch['params'] = [];
  for (let i = 0; i < template.length; i++) {
    const part = template[i];
    if ('literal' in part) {
      if (part.literal !== segments[i]) return undefined;
    } else {
      if (segments[i] === '') return undefined;
      params.push({ fieldPath: part.fieldPath, value: segments[i] });
    }
  }
  return params;
}
