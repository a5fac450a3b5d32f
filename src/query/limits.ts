import { HubError } from '../errors/hub-error.js';

/** Query text limit of IoT Hub (Azure docs, "IoT Hub query language": queries are limited to 8 KB); also applies to a job's queryCondition. */
export const MAX_QUERY_LENGTH = 8192;
/** Deepest expression tree accepted; keeps parsing, evaluation and the generated SQL bounded. */
export const MAX_EXPRESSION_DEPTH = 64;
/** A projection list builds one JSON object per row; PostgreSQL functions take at most 100 arguments. */
export const MAX_PROJECTIONS = 40;

/**
 * The numeric domain of query arithmetic. Results are IEEE doubles, but PostgreSQL raises errors on
 * float overflow/underflow where JavaScript and SQLite produce Infinity or 0, so an operation is only
 * defined when these bounds guarantee a finite, non-underflowing result (see the evaluator's
 * `arithmetic` for the exact rules, which the SQL guards restate with the same IEEE operations).
 */
export const ARITHMETIC_HUGE = 1e300;
export const ARITHMETIC_TINY = 1e-300;
/** `%` is defined on integers up to 2^53 in magnitude (exact in doubles, bigint and SQLite integers). */
export const EXACT_INTEGER_LIMIT = 2 ** 53;

/** Every client mistake in a query is a 400 ArgumentInvalid (IoT Hub answers them so). */
export const invalidQuery = (message: string): HubError => new HubError('ArgumentInvalid', message);
