/** The API's shortest accepted password (@pylon/shared api/users: passwordSchema). */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * What is wrong with a new password before it is sent, if anything: checked with the
 * confirmation, so a form flags both at once instead of stopping at the mismatch.
 */
export function passwordProblem(password: string): string | undefined {
  return password.length < MIN_PASSWORD_LENGTH
    ? `must be at least ${MIN_PASSWORD_LENGTH} characters`
    : undefined;
}
