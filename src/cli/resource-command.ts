import { requiredArg, type Command } from './command.js';

/** A command that sends one request about one resource named by its argument and prints the answer. */
export function resourceCommand(options: { name: string; summary: string; arg: string; method?: 'GET' | 'POST'; path: (id: string) => string }): Command {
  return {
    name: options.name,
    summary: options.summary,
    args: options.arg,
    options: {},
    async run(context) {
      const { body } = await context.client().request(options.method ?? 'GET', options.path(requiredArg(context, 0, options.arg)));
      context.out.json(body);
    },
  };
}
