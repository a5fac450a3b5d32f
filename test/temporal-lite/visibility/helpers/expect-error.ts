import assert from 'node:assert/strict';

/** Asserts that `fn` throws a VisibilityError with this gRPC code and message (exact, or matching). */
export function expectVisibilityError(fn: () => unknown, grpcCode: string, message: string | RegExp): void {
  assert.throws(fn, (e: Error & { grpcCode?: string }) => {
    assert.equal(e.grpcCode, grpcCode, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}
