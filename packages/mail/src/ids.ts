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
  private young: Store<K, V>
  private old: Store<K, V>
  private lastDay = ''
  /** The young generation's first day, as a day number. */
  private since = -Infinity

  constructor(
    private readonly span: number,
    make: () => Store<K, V> = () => new Map<K, V>(),
  ) {
    this.young = make()
    this.old = make()
  }

  /** The log time has reached `day` (YYYY-MM-DD); days come in order, gaps in the logs count. */
  day(day: string): void {
    if (day === this.lastDay) return
    this.lastDay = day
    const n = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86400e3
    if (n < this.since + this.span) return
    // the old generation is dropped (its store emptied and used again as the young one)
    const spare = this.old
    spare.clear()
    if (n < this.since + 2 * this.span) this.old = this.young
    else {
      this.young.clear()
      this.old = this.young
    }
    this.young = spare
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

/** What a RecentMap generation is kept in: a Map, or a NumberTable for numbers to numbers. */
export interface Store<K, V> {
  get(key: K): V | undefined
  set(key: K, value: V): unknown
  delete(key: K): boolean
  clear(): void
}

/** A RecentMap from numbers to numbers, kept in NumberTables. */
export function recentNumbers(span: number): RecentMap<number, number> {
  return new RecentMap<number, number>(span, () => new NumberTable())
}

const EMPTY = -1

/**
 * A map from numbers that are 0 or more (mail ids, Message-Id hashes) to numbers, in two typed arrays
 * (open addressing, linear probing, at most 5/8 full): no object per entry, nothing for the garbage
 * collector to trace or promote. Per-mail counts and the Message-Id index in Maps cost 11% of the
 * parser's time on the mail-dense bench folder (600,000 mails), and much of its garbage collection.
 */
export class NumberTable implements Store<number, number> {
  private keys: Float64Array
  private values: Float64Array
  private mask: number
  size = 0

  constructor(capacity = 1024) {
    this.keys = new Float64Array(capacity).fill(EMPTY)
    this.values = new Float64Array(capacity)
    this.mask = capacity - 1
  }

  get(key: number): number | undefined {
    const keys = this.keys
    for (let i = slotOf(key, this.mask); ; i = (i + 1) & this.mask) {
      const k = keys[i]!
      if (k === key) return this.values[i]
      if (k === EMPTY) return undefined
    }
  }

  set(key: number, value: number): void {
    const keys = this.keys
    let i = slotOf(key, this.mask)
    for (; keys[i] !== key; i = (i + 1) & this.mask) {
      if (keys[i] === EMPTY) {
        if ((this.size + 1) * 8 > keys.length * 5) {
          this.grow()
          this.set(key, value)
          return
        }
        keys[i] = key
        this.size++
        break
      }
    }
    this.values[i] = value
  }

  delete(key: number): boolean {
    const keys = this.keys
    const mask = this.mask
    let i = slotOf(key, mask)
    for (; keys[i] !== key; i = (i + 1) & mask) if (keys[i] === EMPTY) return false
    // backward shift: an entry after the hole moves into it unless its own slot lies after the hole
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = slotOf(keys[j]!, mask)
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        keys[i] = keys[j]!
        this.values[i] = this.values[j]!
        i = j
      }
    }
    keys[i] = EMPTY
    this.size--
    return true
  }

  clear(): void {
    if (this.size === 0) return
    this.keys.fill(EMPTY)
    this.size = 0
  }

  private grow() {
    const keys = this.keys
    const values = this.values
    this.keys = new Float64Array(keys.length * 2).fill(EMPTY)
    this.values = new Float64Array(keys.length * 2)
    this.mask = keys.length * 2 - 1
    this.size = 0
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) this.set(keys[i]!, values[i]!)
  }
}

/** A number's slot: its low and high 32 bits mixed (murmur3's finalizer). */
function slotOf(key: number, mask: number): number {
  let h = (key >>> 0) ^ Math.imul((key / 4294967296) >>> 0, 0x9e3779b1)
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) & mask
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
