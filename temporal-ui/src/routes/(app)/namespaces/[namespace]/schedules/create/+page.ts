export { load } from '$lib/require-write-actions';
