/**
 * An exception the Rails server would not handle (NoMethodError on nil, a failed tenant switch, a bad
 * `Time.parse`…). The HTTP layer renders it as OSCaR's non-JSON 500 page; the message is only logged.
 */
export class RailsCrash extends Error {
  override readonly name = 'RailsCrash';
  readonly code = 'OSCAR_UNHANDLED_EXCEPTION';
}
