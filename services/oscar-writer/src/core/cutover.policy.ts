/**
 * At cut-over from the legacy job, referrals it already sent must not go out again (OSCaR would duplicate
 * them). `REFERRALS_CREATED_SINCE` says from when referrals are ours to send; empty means all of them.
 * A referral whose creation time is unknown is sent (better a duplicate the NGO can see than a lost one).
 */
export function isOurs(referralCreatedAt: string | null, since: string): boolean {
  if (since === '' || referralCreatedAt === null) return true;
  return Date.parse(referralCreatedAt) >= Date.parse(since);
}
