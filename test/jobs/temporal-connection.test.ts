// Which Temporal frontends the worker connection leaves uncompressed (src/temporal/connection.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackAddress } from '../../src/temporal/connection.js';

describe('isLoopbackAddress', () => {
  it('names this machine by IPv4 loopback, localhost or ::1', () => {
    for (const address of ['127.0.0.1:7233', '127.8.9.10:1', 'localhost:7233', '[::1]:7233']) assert.equal(isLoopbackAddress(address), true, address);
  });

  it('does not take other hosts for this machine', () => {
    for (const address of ['10.0.0.5:7233', 'temporal:7233', 'localhost.example.com:7233', '127.0.0.1.example.com:7233', '[::2]:7233', '0.0.0.0:7233'])
      assert.equal(isLoopbackAddress(address), false, address);
  });
});
