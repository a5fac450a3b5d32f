// The HTTP API's routes come from the google.api.http rules of the service definitions, and a
// request path finds the most specific one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveRoutes, matchRoute, pathSegments, type HttpRoute } from '../../../temporal-lite/http/routes.js';

const routes = deriveRoutes();

function resolve(verb: string, path: string) {
  const match = matchRoute(routes, verb, pathSegments(path)!);
  return 'route' in match
    ? { method: match.route.method.name, params: Object.fromEntries(match.params.map((param) => [param.fieldPath.join('.'), param.value])) }
    : match;
}

const methodOf = (verb: string, path: string) => {
  const resolved = resolve(verb, path);
  return 'method' in resolved ? resolved.method : undefined;
};

describe('temporal-lite HTTP routes', () => {
  it('derives every binding, with and without /api/v1, from the WorkflowService and OperatorService rules', () => {
    const byMethod = (name: string) =>
      routes.filter((route: HttpRoute) => route.method.name === name).map((route) => `${route.verb.toUpperCase()} ${route.template}`);
    assert.deepEqual(byMethod('GetWorkflowExecutionHistory').sort(), [
      'GET /api/v1/namespaces/{namespace}/workflows/{execution.workflow_id}/history',
      'GET /namespaces/{namespace}/workflows/{execution.workflow_id}/history',
    ]);
    assert.deepEqual(byMethod('ListSearchAttributes').sort(), [
      'GET /api/v1/namespaces/{namespace}/search-attributes',
      'GET /cluster/namespaces/{namespace}/search-attributes',
    ]);
    assert.equal(byMethod('RecordActivityTaskHeartbeatById').length, 4, 'a rule with three additional bindings');
    assert.deepEqual(byMethod('PollWorkflowTaskQueue'), [], 'methods without a rule have no route');
    assert.ok(routes.length > 200);
    assert.ok(routes.filter((route) => route.template.startsWith('/api/v1/')).length > 100);
    assert.equal(routes.find((route) => route.method.name === 'QueryWorkflow')?.body, '*');
  });

  it('matches literal segments before variables, and binds dotted and percent-encoded variables', () => {
    assert.deepEqual(resolve('GET', '/api/v1/namespaces/default/workflows/w1/history'), {
      method: 'GetWorkflowExecutionHistory',
      params: { namespace: 'default', 'execution.workflow_id': 'w1' },
    });
    assert.equal(methodOf('GET', '/api/v1/namespaces/default/workflows/w1/history-reverse'), 'GetWorkflowExecutionHistoryReverse');
    assert.deepEqual(resolve('GET', '/api/v1/namespaces/default/workflows/job%2F1%20a'), {
      method: 'DescribeWorkflowExecution',
      params: { namespace: 'default', 'execution.workflow_id': 'job/1 a' },
    });
    assert.deepEqual(resolve('POST', '/api/v1/namespaces/ns/workflows/w/query/status'), {
      method: 'QueryWorkflow',
      params: { namespace: 'ns', 'execution.workflow_id': 'w', 'query.query_type': 'status' },
    });
    assert.equal(methodOf('GET', '/api/v1/namespaces/default/workflow-count'), 'CountWorkflowExecutions');
    assert.equal(methodOf('GET', '/api/v1/cluster-info'), 'GetClusterInfo');
  });

  it('tells a path served under other verbs from one not served at all', () => {
    assert.deepEqual(resolve('DELETE', '/api/v1/namespaces/default/workflows/w1/history'), { otherVerbs: ['get'] });
    assert.deepEqual(resolve('GET', '/api/v1/no/such/route'), { otherVerbs: [] });
    assert.deepEqual(resolve('GET', '/api/v1/namespaces//workflows'), { otherVerbs: [] }, 'a variable never matches an empty segment');
    assert.equal(pathSegments('/api/v1/namespaces/%E0%A4%A'), undefined);
  });
});
