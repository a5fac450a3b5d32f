// Filters that parse but do not fit the namespace's attributes: every error names the problem.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVisibilityService, type VisibilityService } from '../../../temporal-lite/visibility/index.js';
import { expectVisibilityError } from './helpers/expect-error.js';
import { CUSTOM_ATTRIBUTES } from './helpers/synthetic-records.js';

describe('list filter binding', () => {
  let db: Database.Database;
  let vis: VisibilityService;
  before(() => {
    db = new Database(':memory:');
    vis = createVisibilityService(db);
    vis.addSearchAttributes({ namespace: 'default', searchAttributes: CUSTOM_ATTRIBUTES });
  });
  after(() => db.close());

  const list = (query: string) => vis.listWorkflowExecutions({ namespace: 'default', query });
  const count = (query: string) => vis.countWorkflowExecutions({ namespace: 'default', query });
  function rejects(query: string, message: string, run: (q: string) => unknown = list) {
    expectVisibilityError(() => run(query), 'INVALID_ARGUMENT', `invalid query: ${message}`);
  }

  it('accepts the value forms Temporal accepts', () => {
    for (const q of [
      "ExecutionStatus = 'Running'",
      "ExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT'",
      'ExecutionStatus IN (1, 2)',
      'StartTime > 1704067200000000000',
      "StartTime BETWEEN '2024-01-01T00:00:00Z' AND '2024-01-02T00:00:00.5+01:00'",
      'Num = 2.5',
      'Dbl >= 3',
      'Flag = TRUE',
      "ExecutionDuration > '1h30m'",
      "ExecutionDuration < '00:10:00'",
      'ExecutionDuration >= 1000',
      "ChangeVersion = 'v1'",
      "TemporalChangeVersion IN ('v1', 'v2')",
      "Kw BETWEEN 'a' AND 'b'",
      "When IS NULL OR Txt = 'hello world'",
    ]) {
      assert.doesNotThrow(() => list(q), q);
    }
  });

  it('rejects attributes the namespace does not have', () => {
    rejects("Nope = 'x'", "invalid expression: column name 'Nope' is not a valid search attribute");
    rejects('ORDER BY Nope', "invalid expression: column name 'Nope' is not a valid search attribute");
    rejects('Nope IS NULL', "invalid expression: column name 'Nope' is not a valid search attribute");
  });

  it('rejects operators the attribute type does not support', () => {
    rejects("Txt > 'a'", "operation is not supported: operator '>' not supported for Text type search attribute 'Txt'");
    rejects("Txt IN ('a')", "operation is not supported: operator 'IN' not supported for Text type search attribute 'Txt'");
    rejects("Tags STARTS_WITH 'a'", "operation is not supported: operator 'STARTS_WITH' not supported for KeywordList type search attribute 'Tags'");
    rejects("Tags < 'a'", "operation is not supported: operator '<' not supported for KeywordList type search attribute 'Tags'");
    rejects("Num STARTS_WITH '1'", "operation is not supported: operator 'STARTS_WITH' not supported for Int type search attribute 'Num'");
    rejects("Kw LIKE 'a%'", "operation is not supported: operator 'LIKE' not supported for Keyword type search attribute 'Kw'");
    rejects("Kw NOT LIKE 'a%'", "operation is not supported: operator 'NOT LIKE' not supported for Keyword type search attribute 'Kw'");
    rejects(
      "ExecutionStatus STARTS_WITH 'Run'",
      "operation is not supported: operator 'STARTS_WITH' not supported for Keyword type search attribute 'ExecutionStatus'",
    );
  });

  it('rejects BETWEEN on types without a range', () => {
    rejects('Flag BETWEEN false AND true', "invalid expression: cannot do range condition on search attribute 'Flag' of type Bool");
    rejects("Txt BETWEEN 'a' AND 'b'", "invalid expression: cannot do range condition on search attribute 'Txt' of type Text");
    rejects("Tags NOT BETWEEN 'a' AND 'b'", "invalid expression: cannot do range condition on search attribute 'Tags' of type KeywordList");
  });

  it('rejects values of the wrong type, naming attribute, type and value', () => {
    rejects("Num = 'x'", 'invalid expression: invalid value type for search attribute Num of type Int: "x" (type: string)');
    rejects('Kw = 1', 'invalid expression: invalid value type for search attribute Kw of type Keyword: 1 (type: int64)');
    rejects('WorkflowId IN (1.5)', 'invalid expression: invalid value type for search attribute WorkflowId of type Keyword: 1.5 (type: float64)');
    rejects('Flag = 1', 'invalid expression: invalid value type for search attribute Flag of type Bool: 1 (type: int64)');
    rejects('Dbl = true', 'invalid expression: invalid value type for search attribute Dbl of type Double: true (type: bool)');
    rejects('Tags = 1', 'invalid expression: invalid value type for search attribute Tags of type KeywordList: 1 (type: int64)');
    rejects('When = 1.5', 'invalid expression: invalid value type for search attribute When of type Datetime: 1.5 (type: float64)');
    rejects("StartTime > 'yesterday'", "invalid expression: unable to parse datetime 'yesterday'");
    rejects("CloseTime < '2024-02-30T00:00:00Z'", "invalid expression: unable to parse datetime '2024-02-30T00:00:00Z'");
    rejects("ExecutionStatus = 'running'", "invalid expression: invalid ExecutionStatus value 'running'");
    rejects('ExecutionStatus = 42', 'invalid expression: invalid ExecutionStatus value 42');
    rejects("ExecutionDuration > 'forever'", 'invalid expression: invalid duration value for search attribute ExecutionDuration: forever');
    rejects("Txt = '!!!'", 'invalid expression: unexpected value for Text type search attribute (no tokens found)');
    rejects('Kw = NULL', 'invalid expression: unexpected value NULL (use IS NULL or IS NOT NULL)');
  });

  it('allows GROUP BY ExecutionStatus only, and only when counting', () => {
    rejects('GROUP BY WorkflowType', "operation is not supported: 'GROUP BY' clause is not supported for search attribute WorkflowType", count);
    rejects('GROUP BY ExecutionStatus, TaskQueue', "operation is not supported: 'GROUP BY' clause supports only a single field", count);
    rejects('GROUP BY ExecutionStatus', "operation is not supported: 'GROUP BY' clause");
    assert.deepEqual(count('GROUP BY ExecutionStatus'), { count: 0, groups: [] });
  });

  it('rejects ordering by Text and KeywordList', () => {
    rejects('ORDER BY Txt', 'operation is not supported: unable to sort by search attribute type Text');
    rejects('ORDER BY StartTime, Tags DESC', 'operation is not supported: unable to sort by search attribute type KeywordList');
  });
});
