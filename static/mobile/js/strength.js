// Is a passphrase strong enough to stand offline guessing through Argon2id (keys.js)? zxcvbn-ts
// estimates how many guesses a cracker needs; we ask for 10^14 (README: "The phone's storage
// key"). Loaded only while signing in: the library and its word lists are large.
export const MIN_LENGTH = 12;
export const MIN_GUESSES_LOG10 = 14;

// null when strong enough, else the reason: "short" or "guessable" (with zxcvbn's warning).
export async function weakness(passphrase) {
  if ([...passphrase].length < MIN_LENGTH) return { reason: "short" };
  const { zxcvbn } = await import("../vendor/zxcvbn.js");
  const estimate = zxcvbn(passphrase);
  if (estimate.guessesLog10 >= MIN_GUESSES_LOG10) return null;
  return { reason: "guessable", warning: estimate.feedback.warning || "",
    guessesLog10: Math.floor(estimate.guessesLog10) };
}
