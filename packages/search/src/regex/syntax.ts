import { SearchError } from '../errors.js'

/**
 * GNU grep 3.8's pattern syntax (BRE and ERE, C locale) parsed to a tree.
 *
 * grep reads a pattern twice: glibc's regex (`regcomp`) checks its syntax first and is the matcher
 * for `-o`, colour and back-references; dfa.c selects lines for everything else. The two disagree on
 * a few corners, so the tree is built in either `flavor`:
 * - `'dfa'`: a repetition after an anchor repeats the anchor (`a\b*b`, `-E 'a^*b'` select `ab`); at the
 *   start of an expression BRE `*` is a literal and ERE `*`, `+`, `?`, `{..}` apply to nothing,
 *   with grep's warning; `-i` ranges are taken as written and each letter folded.
 * - `'regex'`: after an anchor, a repetition operator is a literal in BRE and ignored in ERE
 *   (`grep -o 'a\b*b'` prints nothing); `-i` reads bracket letters as upper case (`-i '[Z-a]'` is
 *   "Invalid range end").
 * Errors are glibc's (grep reports them first), plus dfa.c's own `[:space:]` error.
 */

export type Assert =
  | 'bol' // ^ \`
  | 'eol' // $ \'
  | 'word' // \b
  | 'notword' // \B
  | 'wordStart' // \<
  | 'wordEnd' // \>
  | 'noWordBefore' // -w, left edge
  | 'noWordAfter' // -w, right edge

export type Node =
  | { t: 'set'; set: Uint8Array } // 256 entries, 1 where the byte matches
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number } // max -1: no limit
  | { t: 'group'; node: Node; n: number }
  | { t: 'assert'; a: Assert }
  | { t: 'backref'; n: number }
  | { t: 'empty' }

export interface Parsed {
  node: Node
  groups: number
  backrefs: boolean
  /** dfa.c's warnings (`* at start of expression`), in order; only in the 'dfa' flavor. */
  warnings: string[]
}

export interface SyntaxOptions {
  ere: boolean
  icase: boolean
  flavor: 'dfa' | 'regex'
}

const RE_DUP_MAX = 32767

export const isWordByte = (b: number): boolean =>
  (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 95

const isLetter = (b: number): boolean => (b >= 65 && b <= 90) || (b >= 97 && b <= 122)

const CLASSES: Record<string, (b: number) => boolean> = {
  alpha: isLetter,
  digit: (b) => b >= 48 && b <= 57,
  alnum: (b) => isLetter(b) || (b >= 48 && b <= 57),
  upper: (b) => b >= 65 && b <= 90,
  lower: (b) => b >= 97 && b <= 122,
  space: (b) => b === 32 || (b >= 9 && b <= 13),
  blank: (b) => b === 32 || b === 9,
  punct: (b) => (b >= 33 && b <= 47) || (b >= 58 && b <= 64) || (b >= 91 && b <= 96) || (b >= 123 && b <= 126),
  print: (b) => b >= 32 && b <= 126,
  graph: (b) => b >= 33 && b <= 126,
  cntrl: (b) => b < 32 || b === 127,
  xdigit: (b) => (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102),
}

const bad = (msg: string): never => {
  throw new SearchError(msg, 'E_BAD_PATTERN')
}

function setOf(test: (b: number) => boolean): Uint8Array {
  const s = new Uint8Array(256)
  for (let b = 0; b < 256; b++) if (test(b)) s[b] = 1
  return s
}

/** One byte; with -i a letter stands for both cases (C locale: ASCII only). */
export function byteSet(b: number, icase: boolean): Uint8Array {
  const s = new Uint8Array(256)
  s[b] = 1
  if (icase && isLetter(b)) s[b ^ 32] = 1
  return s
}

const ANY = setOf(() => true)
const WORD_SET = setOf(isWordByte)
const NOT_WORD_SET = setOf((b) => !isWordByte(b))
const SPACE_SET = setOf(CLASSES.space!)
const NOT_SPACE_SET = setOf((b) => !CLASSES.space!(b))

type Tok =
  | { k: 'set'; set: Uint8Array }
  | { k: 'assert'; a: Assert }
  | { k: 'backref'; n: number }
  | { k: 'lparen' | 'rparen' | 'or' | 'end' }
  | { k: 'rep'; min: number; max: number }

const BAD_BRACKET = 'Unmatched [, [^, [:, [., or [='

/** Parses one grep pattern (a binary string: one char per byte). */
export function parsePattern(p: string, o: SyntaxOptions): Parsed {
  const { ere, icase } = o
  const dfa = o.flavor === 'dfa'
  const warnings: string[] = []
  let i = 0
  let lasttok: Tok['k'] | 'start' = 'start'
  let laststart = true // dfa.c: only zero-width tokens since the start, `(` or `|`
  let parens = 0
  let groups = 0
  let backrefs = false
  const completed = new Set<number>() // glibc: groups closed so far in this branch's scope

  const lit = (b: number): Tok => ({ k: 'set', set: byteSet(b, icase) })

  /** glibc's fetch_number over the interval body at `j`; -1: no digits, -2: invalid. */
  const interval = (j: number): { min: number; max: number; next: number } | { err: 'brace' | 'badbr' | 'literal' } => {
    const close = ere ? '}' : '\\}'
    const number = (): { n: number; stop: string } => {
      let n = -1
      for (;;) {
        if (j >= p.length) return { n: -2, stop: 'end' }
        if (p.startsWith(close, j)) {
          j += close.length
          return { n, stop: '}' }
        }
        const c = p[j]!
        if (c === ',') {
          j++
          return { n, stop: ',' }
        }
        // a BRE `\x` inside is one token (not a digit)
        j += c === '\\' && j + 1 < p.length ? 2 : 1
        n = c < '0' || c > '9' || n === -2 ? -2 : n === -1 ? c.charCodeAt(0) - 48 : Math.min(RE_DUP_MAX + 1, n * 10 + c.charCodeAt(0) - 48)
      }
    }
    const start = number()
    let min = start.n
    if (min === -1) {
      if (start.stop === ',') min = 0
      else return { err: 'badbr' } // {} is invalid
    }
    let max: number
    let stop = start.stop
    if (min !== -2) {
      if (stop === '}') max = min
      else if (stop === ',') {
        const e = number()
        max = e.n
        stop = e.stop
      } else max = -2
    } else max = 0
    if (min === -2 || max === -2) return { err: ere ? 'literal' : stop === 'end' ? 'brace' : 'badbr' }
    if ((max !== -1 && min > max) || stop !== '}') return { err: 'badbr' }
    if ((max === -1 ? min : max) > RE_DUP_MAX) bad('Regular expression too big')
    return { min, max, next: j }
  }

  /** The next token; `atomPos`: the parser expects an atom (glibc's start of an expression). */
  const next = (atomPos: boolean): Tok => {
    const t = lex(atomPos)
    lasttok = t.k
    return t
  }

  const lex = (atomPos: boolean): Tok => {
    if (i >= p.length) return { k: 'end' }
    let c = p[i]!
    let backslash = false
    if (c === '\\') {
      if (i + 1 >= p.length) bad('Trailing backslash')
      backslash = true
      c = p[i + 1]!
      i += 2
    } else i++
    const b = c.charCodeAt(0)
    const zeroWidth = (a: Assert): Tok => ({ k: 'assert', a })
    const plain = (): Tok => {
      laststart = false
      return lit(b)
    }
    // a repetition operator where it cannot apply: literal in BRE; in ERE dfa.c warns and applies
    // it to nothing, glibc skips it
    const repAtStart = (name: string): 'literal' | 'skip' | 'op' => {
      if (dfa) {
        if (!laststart) return 'op'
        if (!ere) return 'literal'
        warnings.push(`${name} at start of expression`)
        return 'op'
      }
      if (!atomPos) return 'op'
      return ere ? 'skip' : 'literal'
    }
    if (backslash) {
      if (b >= 49 && b <= 57) {
        laststart = false
        backrefs = true
        return { k: 'backref', n: b - 48 }
      }
      switch (c) {
        case '`':
          return zeroWidth('bol')
        case "'":
          return zeroWidth('eol')
        case '<':
          return zeroWidth('wordStart')
        case '>':
          return zeroWidth('wordEnd')
        case 'b':
          return zeroWidth('word')
        case 'B':
          return zeroWidth('notword')
        case 'w':
        case 'W':
        case 's':
        case 'S':
          laststart = false
          return { k: 'set', set: c === 'w' ? WORD_SET : c === 'W' ? NOT_WORD_SET : c === 's' ? SPACE_SET : NOT_SPACE_SET }
      }
      if (!ere) {
        if (c === '(') return open()
        if (c === ')') return close()
        if (c === '|') return or()
        if (c === '+' || c === '?') return rep(c, c === '+' ? 1 : 0, c === '+' ? -1 : 1)
        if (c === '{') return brace()
      }
      return plain()
    }
    switch (c) {
      case '^':
        if (ere || lasttok === 'start' || lasttok === 'lparen' || lasttok === 'or') return zeroWidth('bol')
        return plain()
      case '$': {
        // BRE: an anchor at the end or before `\)` or `\|`; dfa.c also before an unescaped `)` or
        // `|` with something after it (`grep '$|*'` selects every line)
        const rest = p.slice(i)
        const next = rest[0] === '\\' ? rest[1] : rest[0]
        if (ere || rest === '' || rest.startsWith('\\)') || rest.startsWith('\\|')) return zeroWidth('eol')
        if (dfa && rest.length >= 2 && (next === ')' || next === '|')) return zeroWidth('eol')
        return plain()
      }
      case '.':
        laststart = false
        return { k: 'set', set: ANY }
      case '[':
        laststart = false
        return { k: 'set', set: bracket() }
      case '*':
        return rep('*', 0, -1)
    }
    if (ere) {
      if (c === '(') return open()
      if (c === ')') return parens === 0 ? plain() : close()
      if (c === '|') return or()
      if (c === '+' || c === '?') return rep(c, c === '+' ? 1 : 0, c === '+' ? -1 : 1)
      if (c === '{') return brace()
    }
    return plain()

    function rep(name: string, min: number, max: number): Tok {
      const how = repAtStart(name)
      if (how === 'literal') return plain()
      if (how === 'skip') return skip()
      // dfa.c: `*`, `+`, `?` leave laststart as it was (`-E '?*a'` warns twice)
      return { k: 'rep', min, max }
    }
    /** glibc skips an ERE operator with nothing to repeat; a `)` right after it is then a literal. */
    function skip(): Tok {
      const t = lex(atomPos)
      if (t.k !== 'rparen') return t
      parens++
      return lit(41)
    }
    function brace(): Tok {
      // dfa.c warns only about a valid interval at the start
      const how = dfa && laststart && ere ? 'op' : repAtStart('{...}')
      if (how === 'literal') return plain()
      if (how === 'skip') return skip()
      const iv = interval(i)
      if ('err' in iv) {
        if (iv.err === 'literal') return plain()
        bad(iv.err === 'brace' ? 'Unmatched \\{' : 'Invalid content of \\{\\}')
      }
      const t = iv as { min: number; max: number; next: number }
      if (dfa && laststart) warnings.push('{...} at start of expression')
      i = t.next
      laststart = false
      return { k: 'rep', min: t.min, max: t.max }
    }
    function open(): Tok {
      parens++
      laststart = true
      return { k: 'lparen' }
    }
    function close(): Tok {
      if (parens === 0) bad('Unmatched ) or \\)')
      parens--
      laststart = false
      return { k: 'rparen' }
    }
    function or(): Tok {
      laststart = true
      return { k: 'or' }
    }
  }

  /** A bracket expression after `[` (glibc's checks; dfa.c's set unless the flavor is regex). */
  function bracket(): Uint8Array {
    const set = new Uint8Array(256)
    let negate = false
    if (p[i] === '^') {
      negate = true
      i++
    }
    if (i >= p.length) bad('Invalid regular expression')
    // dfa.c refuses `[:alpha:]`: a first and last `:`, something else between, no class or range
    const colonFirst = p[i] === ':'
    let colonOther = false
    let colonLast = false
    let classOrRange = false
    const up = (b: number) => (!dfa && icase && b >= 97 && b <= 122 ? b - 32 : b)
    type Elem = { kind: 'char'; b: number } | { kind: 'class'; name: string } | { kind: 'equiv'; name: string } | { kind: 'coll'; b: number }
    const element = (first: boolean, acceptHyphen: boolean): Elem => {
      if (i >= p.length) bad(BAD_BRACKET)
      const c = p[i]!
      if (c === '[' && (p[i + 1] === ':' || p[i + 1] === '=' || p[i + 1] === '.')) {
        const kind = p[i + 1]!
        const close = p.indexOf(kind + ']', i + 2)
        if (close < 0) bad(BAD_BRACKET)
        const name = p.slice(i + 2, close)
        i = close + 2
        if (kind === ':') {
          if (!CLASSES[name]) bad('Invalid character class name')
          return { kind: 'class', name }
        }
        if (name.length !== 1) bad('Invalid collation character')
        return kind === '=' ? { kind: 'equiv', name } : { kind: 'coll', b: up(name.charCodeAt(0)) }
      }
      if (c === '-' && !acceptHyphen && !first && p[i + 1] !== ']') bad('Invalid range end')
      i++
      return { kind: 'char', b: up(c.charCodeAt(0)) }
    }
    const add = (e: Elem) => {
      if (e.kind === 'class') {
        let name = e.name
        if (icase && (name === 'upper' || name === 'lower')) name = 'alpha'
        for (let b = 0; b < 256; b++) if (CLASSES[name]!(b)) set[b] = 1
      } else if (e.kind === 'equiv') set[up(e.name.charCodeAt(0))] = 1
      else set[e.b] = 1
    }
    let first = true
    for (;;) {
      if (i >= p.length) bad(BAD_BRACKET)
      if (p[i] === ']' && !first) {
        i++
        break
      }
      const a = element(first, first)
      first = false
      if (a.kind !== 'class' && a.kind !== 'equiv' && p[i] === '-' && i + 1 < p.length && p[i + 1] !== ']') {
        i++
        const z = element(false, true)
        if (z.kind === 'class' || z.kind === 'equiv') bad('Invalid range end')
        const lo = (a as { b: number }).b
        const hi = (z as { b: number }).b
        if (hi < lo) bad('Invalid range end')
        classOrRange = true
        colonLast = false
        for (let b = lo; b <= hi; b++) set[b] = 1
        continue
      }
      if (i >= p.length) bad(BAD_BRACKET)
      add(a)
      if (a.kind === 'char') {
        colonLast = a.b === 58
        if (a.b !== 58) colonOther = true
      } else classOrRange = true
    }
    if (dfa && colonFirst && colonLast && colonOther && !classOrRange) bad('character class syntax is [[:space:]], not [:space:]')
    if (icase) {
      if (dfa) {
        for (let b = 0; b < 256; b++) if (set[b] && isLetter(b)) set[b ^ 32] = 1
      } else {
        // glibc compares the upper-cased input byte with the upper-cased set
        for (let b = 97; b <= 122; b++) set[b] = set[b - 32]!
      }
    }
    if (negate) for (let b = 0; b < 256; b++) set[b] = set[b]! ^ 1
    return set
  }

  // --- the parser: regexp := branch ('|' branch)*; branch := closure*; closure := atom op* ---
  let tok = next(true)

  const parseAlt = (depth: number): Node => {
    const outer = new Set(completed)
    const acc = new Set<number>()
    const branches: Node[] = []
    for (;;) {
      branches.push(parseBranch(depth))
      for (const g of completed) acc.add(g)
      if (tok.k !== 'or') break
      completed.clear()
      for (const g of outer) completed.add(g)
      tok = next(true)
    }
    for (const g of acc) completed.add(g)
    return branches.length === 1 ? branches[0]! : { t: 'alt', items: branches }
  }

  const parseBranch = (depth: number): Node => {
    const items: Node[] = []
    while (tok.k !== 'end' && tok.k !== 'or' && !(tok.k === 'rparen' && depth > 0)) {
      let atom: Node
      let anchor = false
      if (tok.k === 'rep') {
        // dfa.c: an operator with nothing before it applies to the empty string
        atom = { t: 'empty' }
      } else {
        if (tok.k === 'set') atom = { t: 'set', set: tok.set }
        else if (tok.k === 'assert') {
          atom = { t: 'assert', a: tok.a }
          anchor = true
        } else if (tok.k === 'backref') {
          if (!completed.has(tok.n)) bad('Invalid back reference')
          atom = { t: 'backref', n: tok.n }
        } else if (tok.k === 'lparen') {
          const n = ++groups
          tok = next(true)
          const inner = tok.k === 'rparen' ? ({ t: 'empty' } as Node) : parseAlt(depth + 1)
          if (tok.k !== 'rparen') bad('Unmatched ( or \\(')
          completed.add(n)
          atom = { t: 'group', node: inner, n }
        } else {
          // an unmatched `\)` reaches here only at depth 0, where the lexer already refused it
          atom = { t: 'empty' }
        }
        // glibc: nothing repeats an anchor; the next token starts a new expression
        tok = next(!dfa && anchor)
      }
      while (tok.k === 'rep' && (dfa || !anchor)) {
        atom = { t: 'rep', node: atom, min: tok.min, max: tok.max }
        tok = next(false)
      }
      items.push(atom)
    }
    return items.length === 1 ? items[0]! : items.length === 0 ? { t: 'empty' } : { t: 'cat', items }
  }

  const node = parseAlt(0)
  if (tok.k === 'rparen') bad('Unmatched ) or \\)')
  if (parens > 0) bad('Unmatched ( or \\(')
  return { node, groups, backrefs, warnings: dfa ? warnings : [] }
}
