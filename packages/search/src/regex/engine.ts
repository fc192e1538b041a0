import { SearchError } from '../errors.js'
import { isWordByte, type Assert, type Node } from './syntax.js'

/**
 * The matching engine: linear time in the input for every pattern without back-references.
 *
 * A pattern tree compiles to a Thompson NFA (`Program`). Lines are selected by a lazy DFA built
 * from it one transition at a time (`Dfa`), as RE2 and GNU dfa.c do; `-o` and colour take the
 * POSIX leftmost-longest match from a Pike VM (`longestMatch`), O(line × program). Neither
 * backtracks, so `([a-z]+ ?)*ERROR` or `(a|aa)*b` cost what `abc` costs. Back-references are the
 * one case no automaton can do: those lines are confirmed by a backtracking matcher
 * (`Backtracker`), as grep itself does with glibc's regex.
 *
 * Why not V8's RegExp alone: it backtracks (the two patterns above run for minutes on a 160-byte
 * line), and its leftmost-first alternation is not POSIX's leftmost-longest. Why not the DFA
 * alone: a byte-at-a-time loop in JavaScript costs ~3.5 ns a byte (36 ms over 10 MB of the bench
 * folder's text, /tmp/speed.mjs) where V8 skips ahead with its own literal search (3-7 ms). So
 * pattern.ts runs V8 where it cannot backtrack much (v8Safe), and elsewhere lets V8 or indexOf find
 * the lines holding a piece every match holds (requiredPiece) and runs the DFA on those lines only:
 * `failed.*mail` 2 ms, `(ERROR|WARNING).*odoo` like grep's old V8 regex (bench: `grep -E`).
 */

const OP_SET = 0
const OP_SPLIT = 1
const OP_JMP = 2
const OP_ASSERT = 3
const OP_MATCH = 4

const ASSERTS: Assert[] = ['bol', 'eol', 'word', 'notword', 'wordStart', 'wordEnd', 'noWordBefore', 'noWordAfter']

/** A program bigger than this is refused, as grep runs out of memory on such patterns. */
const MAX_PROGRAM = 1 << 21

export class Program {
  readonly op: number[] = []
  readonly x: number[] = []
  readonly y: number[] = []
  readonly sets: Uint8Array[] = []
  private setIds = new Map<string, number>()
  start = 0

  static compile(node: Node): Program {
    const prog = new Program()
    prog.emit(node)
    prog.add(OP_MATCH, 0, 0)
    return prog
  }

  get length(): number {
    return this.op.length
  }

  private add(op: number, x: number, y: number): number {
    if (this.op.length >= MAX_PROGRAM) throw new SearchError('Regular expression too big', 'E_BAD_PATTERN')
    this.op.push(op)
    this.x.push(x)
    this.y.push(y)
    return this.op.length - 1
  }

  private setId(set: Uint8Array): number {
    const key = Buffer.from(set.buffer, set.byteOffset, set.length).toString('latin1')
    let id = this.setIds.get(key)
    if (id === undefined) {
      id = this.sets.length
      this.sets.push(set)
      this.setIds.set(key, id)
    }
    return id
  }

  private emit(n: Node): void {
    switch (n.t) {
      case 'set':
        this.add(OP_SET, this.setId(n.set), 0)
        return
      case 'empty':
        return
      case 'cat':
        for (const it of n.items) this.emit(it)
        return
      case 'group':
        this.emit(n.node)
        return
      case 'assert':
        this.add(OP_ASSERT, ASSERTS.indexOf(n.a), 0)
        return
      case 'backref':
        // an automaton cannot compare text: any text of the line stands in for it (a superset,
        // confirmed by the Backtracker)
        this.emit({ t: 'rep', node: { t: 'set', set: ANY }, min: 0, max: -1 })
        return
      case 'alt': {
        // split L1, next; L1: a; jmp end; next: split ... ; last branch falls through
        const jumps: number[] = []
        for (let k = 0; k < n.items.length; k++) {
          if (k < n.items.length - 1) {
            const split = this.add(OP_SPLIT, 0, 0)
            this.x[split] = this.length
            this.emit(n.items[k]!)
            jumps.push(this.add(OP_JMP, 0, 0))
            this.y[split] = this.length
          } else this.emit(n.items[k]!)
        }
        for (const j of jumps) this.x[j] = this.length
        return
      }
      case 'rep': {
        const { node, min, max } = n
        for (let k = 0; k < min; k++) this.emit(node)
        if (max === -1) {
          // L: split body, end; body; jmp L
          const split = this.add(OP_SPLIT, 0, 0)
          this.x[split] = this.length
          this.emit(node)
          this.add(OP_JMP, split, 0)
          this.y[split] = this.length
        } else {
          const splits: number[] = []
          for (let k = min; k < max; k++) {
            const split = this.add(OP_SPLIT, 0, 0)
            this.x[split] = this.length
            splits.push(split)
            this.emit(node)
          }
          for (const s of splits) this.y[s] = this.length
        }
        return
      }
    }
  }
}

const ANY = new Uint8Array(256).fill(1)

// the context of a position between two bytes
const PREV_BOL = 0 // line start
const PREV_NONWORD = 1
const PREV_WORD = 2

function assertHolds(a: number, prev: number, nextByte: number, eol: boolean): boolean {
  const pw = prev === PREV_WORD
  const nw = !eol && isWordByte(nextByte)
  switch (a) {
    case 0:
      return prev === PREV_BOL
    case 1:
      return eol
    case 2:
      return pw !== nw
    case 3:
      return pw === nw
    case 4:
      return !pw && nw
    case 5:
      return pw && !nw
    case 6:
      return !pw
    default:
      return !nw
  }
}

const MATCH = -2
const UNKNOWN = -1
/** Cached DFA states before the cache is flushed: memory stays bounded for any pattern. */
const MAX_STATES = 2000

/**
 * A lazy DFA over a block of lines (a binary string, one char per byte). `find` returns an index
 * inside the first line that holds a match, or -1. Each state is a set of NFA threads waiting on a
 * byte, an assertion or the match, plus what the previous byte was (line start, word, other):
 * the assertions are decided when the next byte is seen. Lines end at `\n` (and NUL in binary mode).
 */
export class Dfa {
  private trans: Int32Array = new Int32Array(256 * 64).fill(UNKNOWN)
  /** for the end of text without a line end: -1 unknown, 0 no match, 1 match */
  private eot: Int8Array = new Int8Array(64).fill(-1)
  private keys = new Map<string, number>()
  private threads: Int32Array[] = []
  private prevs: number[] = []
  private startState = 0
  // work space for closures
  private mark: Int32Array
  private gen = 1
  private stack: number[] = []

  constructor(
    private readonly prog: Program,
    private readonly nul: boolean,
  ) {
    this.mark = new Int32Array(prog.length)
    this.reset()
  }

  private reset() {
    this.keys.clear()
    this.threads = []
    this.prevs = []
    this.trans.fill(UNKNOWN)
    this.eot.fill(-1)
    this.startState = this.intern(PREV_BOL, this.closeFrom([this.prog.start]))
  }

  private isEol(b: number): boolean {
    return b === 10 || (this.nul && b === 0)
  }

  /** Follows split/jmp from `pcs`; keeps set, assert and match instructions. */
  private closeFrom(pcs: number[]): number[] {
    const { op, x, y } = this.prog
    const out: number[] = []
    const g = ++this.gen
    const st = this.stack
    for (let k = pcs.length - 1; k >= 0; k--) st.push(pcs[k]!)
    while (st.length) {
      const pc = st.pop()!
      if (this.mark[pc] === g) continue
      this.mark[pc] = g
      const o = op[pc]
      if (o === OP_JMP) st.push(x[pc]!)
      else if (o === OP_SPLIT) {
        st.push(y[pc]!)
        st.push(x[pc]!)
      } else out.push(pc)
    }
    return out
  }

  private intern(prev: number, pcs: number[]): number {
    const sorted = Int32Array.from(pcs).sort()
    const key = prev + ':' + sorted.join(',')
    let id = this.keys.get(key)
    if (id !== undefined) return id
    id = this.threads.length
    this.threads.push(sorted)
    this.prevs.push(prev)
    this.keys.set(key, id)
    if ((id + 1) * 256 > this.trans.length) {
      const t = new Int32Array(this.trans.length * 2).fill(UNKNOWN)
      t.set(this.trans)
      this.trans = t
      const e = new Int8Array(this.eot.length * 2).fill(-1)
      e.set(this.eot)
      this.eot = e
    }
    return id
  }

  /**
   * Resolves the assertions of state `s` before byte `b` (or the line end): returns the set
   * instructions ready to read a byte, or null when a match is reached.
   */
  private resolve(s: number, b: number, eol: boolean): number[] | null {
    const { op, x } = this.prog
    const prev = this.prevs[s]!
    const ready: number[] = []
    let pending: number[] = Array.from(this.threads[s]!)
    const seen = new Set<number>()
    while (pending.length) {
      const more: number[] = []
      for (const pc of pending) {
        if (seen.has(pc)) continue
        seen.add(pc)
        const o = op[pc]
        if (o === OP_MATCH) return null
        if (o === OP_SET) ready.push(pc)
        else if (o === OP_ASSERT && assertHolds(x[pc]!, prev, b, eol)) more.push(pc + 1)
      }
      pending = more.length ? this.closeFrom(more) : []
    }
    return ready
  }

  private compute(s: number, b: number): number {
    const eol = this.isEol(b)
    const ready = this.resolve(s, b, eol)
    let t: number
    if (ready === null) t = MATCH
    else if (eol) t = this.startState
    else {
      const { x, sets } = this.prog
      const nxt: number[] = []
      for (const pc of ready) if (sets[x[pc]!]![b]) nxt.push(pc + 1)
      nxt.push(this.prog.start) // a match may start at any byte
      t = this.intern(isWordByte(b) ? PREV_WORD : PREV_NONWORD, this.closeFrom(nxt))
    }
    if (this.threads.length > MAX_STATES) {
      // flush the cache; keep going from the state just reached (re-interned)
      const threads = t >= 0 ? Array.from(this.threads[t]!) : null
      const prev = t >= 0 ? this.prevs[t]! : 0
      this.reset()
      if (threads) t = this.intern(prev, threads)
      return t
    }
    this.trans[(s << 8) | b] = t
    return t
  }

  private endOfText(s: number): boolean {
    let r = this.eot[s]!
    if (r < 0) {
      r = this.resolve(s, 10, true) === null ? 1 : 0
      this.eot[s] = r
    }
    return r === 1
  }

  /** An index inside the first line at or after `from` (a line start) holding a match, or -1. */
  find(text: string, from: number, to = text.length): number {
    let s = this.startState
    let T = this.trans
    for (let i = from; i < to; i++) {
      const b = text.charCodeAt(i)
      let t = T[(s << 8) | b]!
      if (t < 0) {
        if (t === MATCH) return i
        t = this.compute(s, b)
        T = this.trans
        if (t === MATCH) return i
      }
      s = t
    }
    if (to > from && !this.isEol(text.charCodeAt(to - 1)) && this.endOfText(s)) return to - 1
    return -1
  }

  /** Does the line [from, end) (end: its line end or the text's end) hold a match? */
  matchLine(text: string, from: number, end: number): boolean {
    let s = this.startState
    for (let i = from; i < end; i++) {
      const b = text.charCodeAt(i)
      let t = this.trans[(s << 8) | b]!
      if (t === UNKNOWN) t = this.compute(s, b)
      if (t === MATCH) return true
      s = t
    }
    return this.endOfText(s)
  }
}

/**
 * POSIX leftmost-longest match of the program in `line` (one line, no terminator) at or after
 * `from`, as [start, end], or null. A Pike VM: threads advance together byte by byte, and when
 * two reach the same instruction the one that started first is kept; once a match is found no
 * new thread starts and only those that started no later go on, for a longer end.
 */
export function longestMatch(prog: Program, line: string, from: number, w: PikeWork, o: MatchLimits = {}): [number, number] | null {
  const { op, x, y, sets } = prog
  let bestStart = -1
  let bestEnd = -1
  let cpc = w.a
  let cst = w.b
  let npc = w.c
  let nst = w.d
  let clen = 0
  const n = o.end ?? line.length
  const notEol = !!o.notEol
  const mark = w.mark
  const stack = w.stack

  // adds the closure of (pc, start) at position `pos` to the list (npc, nst)
  const add = (pcs: Int32Array, sts: Int32Array, len: number, pc0: number, start: number, pos: number, g: number): number => {
    const prev = pos === 0 ? PREV_BOL : isWordByte(line.charCodeAt(pos - 1)) ? PREV_WORD : PREV_NONWORD
    const eol = pos >= n && !notEol
    const nb = pos >= n ? 10 : line.charCodeAt(pos)
    let sp = 0
    stack[sp++] = pc0
    while (sp > 0) {
      const pc = stack[--sp]!
      if (mark[pc] === g) continue
      mark[pc] = g
      const o = op[pc]
      if (o === OP_JMP) stack[sp++] = x[pc]!
      else if (o === OP_SPLIT) {
        stack[sp++] = y[pc]!
        stack[sp++] = x[pc]!
      } else if (o === OP_ASSERT) {
        if (assertHolds(x[pc]!, prev, nb, eol)) stack[sp++] = pc + 1
      } else if (o === OP_MATCH) {
        if (bestStart < 0 || start < bestStart || (start === bestStart && pos > bestEnd)) {
          bestStart = start
          bestEnd = pos
        }
      } else {
        pcs[len] = pc
        sts[len++] = start
      }
    }
    return len
  }

  for (let i = from; ; i++) {
    const g = ++w.gen
    // threads carried from the previous byte were closed at i already; mark them
    let len = 0
    for (let k = 0; k < clen; k++) {
      if (bestStart >= 0 && cst[k]! > bestStart) continue
      cpc[len] = cpc[k]!
      cst[len++] = cst[k]!
      mark[cpc[k]!] = g
    }
    if (bestStart < 0 && (!o.anchored || i === from)) len = add(cpc, cst, len, prog.start, i, i, g)
    clen = len
    if (i >= n || clen === 0) {
      if (clen === 0 && bestStart >= 0) break
      if (i >= n) break
      continue
    }
    const b = line.charCodeAt(i)
    const g2 = ++w.gen
    let nlen = 0
    for (let k = 0; k < clen; k++) {
      const pc = cpc[k]!
      if (bestStart >= 0 && cst[k]! > bestStart) continue
      if (sets[x[pc]!]![b]) nlen = add(npc, nst, nlen, pc + 1, cst[k]!, i + 1, g2)
    }
    ;[cpc, npc] = [npc, cpc]
    ;[cst, nst] = [nst, cst]
    clen = nlen
  }
  return bestStart < 0 ? null : [bestStart, bestEnd]
}

/**
 * Limits of one search, for grep's -w retry (glibc's re_match): `end` cuts the line there,
 * `notEol`: `$` does not hold at that end, `anchored`: the match must start at `from`.
 */
export interface MatchLimits {
  end?: number
  notEol?: boolean
  anchored?: boolean
}

/** Reusable work arrays for `longestMatch` over one program. */
export interface PikeWork {
  a: Int32Array
  b: Int32Array
  c: Int32Array
  d: Int32Array
  mark: Int32Array
  stack: Int32Array
  gen: number
}

export function pikeWork(prog: Program): PikeWork {
  const n = prog.length + 1
  return {
    a: new Int32Array(n),
    b: new Int32Array(n),
    c: new Int32Array(n),
    d: new Int32Array(n),
    mark: new Int32Array(n),
    stack: new Int32Array(n * 2 + 2),
    gen: 0,
  }
}

/**
 * A backtracking matcher for patterns with back-references, with glibc's meaning: a reference to
 * a group that took no part fails; under -i, ASCII letters compare without case. It explores every
 * way to match, to report the longest, so it is exponential on hostile patterns, as grep is there.
 */
export class Backtracker {
  private caps: Int32Array
  private line = ''
  private n = 0

  constructor(
    private readonly node: Node,
    private readonly groups: number,
    private readonly icase: boolean,
  ) {
    this.caps = new Int32Array(groups * 2 + 2)
  }

  /** Leftmost-longest match at or after `from`, or null; `any`: stop at the first match found. */
  match(line: string, from: number, any = false, o: MatchLimits = {}): [number, number] | null {
    try {
      return this.search(line, from, any, o)
    } catch (e) {
      if (e instanceof RangeError) throw new SearchError(`back-references: a line of ${line.length} bytes is too deep to search`, 'E_BAD_PATTERN', undefined, { cause: e })
      throw e
    }
  }

  private notEol = false

  private search(line: string, from: number, any: boolean, o: MatchLimits): [number, number] | null {
    this.line = line
    this.n = o.end ?? line.length
    this.notEol = !!o.notEol
    for (let s = from; s <= (o.anchored ? from : this.n); s++) {
      this.caps.fill(-1)
      let best = -1
      this.m(this.node, s, (e) => {
        if (e > best) best = e
        return any || best === this.n
      })
      if (best >= 0) return [s, best]
    }
    return null
  }

  private ctx(pos: number): number {
    return pos === 0 ? PREV_BOL : isWordByte(this.line.charCodeAt(pos - 1)) ? PREV_WORD : PREV_NONWORD
  }

  private m(node: Node, i: number, k: (i: number) => boolean): boolean {
    switch (node.t) {
      case 'empty':
        return k(i)
      case 'set':
        return i < this.n && node.set[this.line.charCodeAt(i)] === 1 && k(i + 1)
      case 'assert': {
        const atEnd = i >= this.n
        return assertHolds(ASSERTS.indexOf(node.a), this.ctx(i), atEnd ? 10 : this.line.charCodeAt(i), atEnd && !this.notEol) && k(i)
      }
      case 'cat': {
        const items = node.items
        const step = (j: number, pos: number): boolean => (j === items.length ? k(pos) : this.m(items[j]!, pos, (p) => step(j + 1, p)))
        return step(0, i)
      }
      case 'alt':
        for (const it of node.items) if (this.m(it, i, k)) return true
        return false
      case 'group': {
        const c = this.caps
        const n2 = node.n * 2
        return this.m(node.node, i, (e) => {
          const os = c[n2]!
          const oe = c[n2 + 1]!
          c[n2] = i
          c[n2 + 1] = e
          if (k(e)) return true
          c[n2] = os
          c[n2 + 1] = oe
          return false
        })
      }
      case 'backref': {
        const s = this.caps[node.n * 2]!
        const e = this.caps[node.n * 2 + 1]!
        if (s < 0) return false
        const len = e - s
        if (i + len > this.n) return false
        for (let j = 0; j < len; j++) {
          let a = this.line.charCodeAt(s + j)
          let b = this.line.charCodeAt(i + j)
          if (this.icase) {
            if (a >= 97 && a <= 122) a -= 32
            if (b >= 97 && b <= 122) b -= 32
          }
          if (a !== b) return false
        }
        return k(i + len)
      }
      case 'rep': {
        const { node: body, min, max } = node
        if (body.t === 'set') {
          // one byte set: count the run, then try the longest first, without a frame per byte
          // (`\(.\)\1.*` on a 20 MB line)
          const limit = max === -1 ? this.n : Math.min(this.n, i + max)
          let e = i
          while (e < limit && body.set[this.line.charCodeAt(e)] === 1) e++
          for (let j = e; j >= i + min; j--) if (k(j)) return true
          return false
        }
        const loop = (count: number, pos: number): boolean => {
          if (max === -1 || count < max) {
            // an iteration that matched nothing ends the loop (glibc: `()*\1` matches, the group
            // took part once)
            const more = this.m(body, pos, (p) => (p === pos ? k(p) : loop(count + 1, p)))
            if (more) return true
          }
          return count >= min && k(pos)
        }
        return loop(0, i)
      }
    }
  }
}
