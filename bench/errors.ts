/** The CLI's error classes live in the shared leaf (common/errors.ts); re-exported for bench/. */
export { CheckFailed, INTERNAL_ERROR_EXIT, REPORT_BUGS, UsageError } from '../common/errors.js';
