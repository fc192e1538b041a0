/**
 * How long per-mail state lives after the mail's last record, in days of log time: a bounce finds its
 * mail by Message-Id, a retry its recipient and its attempt number (past that, it counts from 1).
 */
export const LINK_DAYS = 4

/**
 * Per-mail state for the recent past only, so that memory follows the mail rate, not the length of
 * the logs: two generations of maps, each `span` days of log time; a lookup tries the young one, then
 * the old one (and brings an entry found there back to the young one); every `span` days the old one
 * is dropped. An entry lives `span` to 2 × `span` days after it was last used.
 */
export class RecentMap<K, V> {
  private young = new Map<K, V>()
  private old = new Map<K, V>()
  private lastDay = ''
  /** The young generation's first day, as a day number. */
  private since = -Infinity

  constructor(private readonly span: number) {}

  /** The log time has reached `day` (YYYY-MM-DD); days come in order, gaps in the logs count. */
  day(day: string): void {
    if (day === this.lastDay) return
    this.lastDay = day
    const n = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86400e3
    if (n < this.since + this.span) return
    this.old = n < this.since + 2 * this.span ? this.young : new Map()
    this.young = new Map()
    this.since = n
  }

  get(key: K): V | undefined {
    const v = this.young.get(key)
    if (v !== undefined) return v
    const o = this.old.get(key)
    if (o !== undefined) {
      this.old.delete(key)
      this.young.set(key, o)
    }
    return o
  }

  /** Sets it in the young generation; the caller has looked it up first (get), which moved it there. */
  set(key: K, value: V): void {
    this.young.set(key, value)
  }

  delete(key: K): void {
    if (!this.young.delete(key)) this.old.delete(key)
  }
}

/**
 * A Message-Id as a 53-bit number, to key the Message-Id → mail id index: a mass mailing keeps some
 * 80,000 Message-Ids there for LINK_DAYS (a string key is ~120 bytes with its copy, a number 16:
 * the index was a third of the parser's live heap on the mail-dense bench folder). Two independent
 * 32-bit FNV-1a hashes, 53 bits kept: with 160,000 keys held, a bounce names a wrong mail with odds
 * of about 2e-11.
 */
export function messageIdKey(s: string): number {
  let a = 0x811c9dc5
  let b = 0x9747b28c
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  return (a >>> 0) * 0x200000 + (b >>> 11)
}
