// Workflows for the temporal-lite benchmark.
import { proxyActivities } from '@temporalio/workflow';

const { echo } = proxyActivities<{ echo(n: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });

export async function oneActivity(n: number): Promise<number> {
  return await echo(n);
}

/** Fans out `count` activities, at most `parallel` at a time. */
export async function fanOut(count: number, parallel: number): Promise<number> {
  let next = 0;
  let sum = 0;
  const lane = async () => {
    while (next < count) {
      // Not `sum += await …`: that reads `sum` before the await and loses the other lanes' additions.
      const n = await echo(next++);
      sum += n;
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return sum;
}
