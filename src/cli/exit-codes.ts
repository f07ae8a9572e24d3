/** Exit codes of `slimguard check` and `validate` (a contract: CI pipelines branch on them). */
export const EXIT_OK = 0;
/** A rule in enforce mode failed for at least one image. */
export const EXIT_DENIED = 1;
/** Something could not be judged: bad reference, unreachable or missing image, bad policy, bad flags. */
export const EXIT_ERROR = 2;
