/**
 * OSCaR compares non-referred clients by date only, so the cursor is a UTC day: the day the last
 * successful poll *started*. The next poll asks for `<that day> 00:00:00` and re-reads the whole day;
 * fingerprints drop what did not change. Using the start (not the end) means nothing saved while a poll
 * ran can fall between two polls.
 */
export function sinceDateFor(pollStartedAt: Date): string {
  return pollStartedAt.toISOString().slice(0, 10);
}
