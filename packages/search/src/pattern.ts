import { SearchError } from './errors.js'

/** How the pattern text is read, as grep's -G (default), -E, -F and -P. */
export type PatternSyntax = 'basic' | 'extended' | 'fixed' | 'perl'

export interface PatternOptions {
  syntax?: PatternSyntax
  /** -i: ASCII letters only, as grep in the C locale. */
  ignoreCase?: boolean
  /** -w */
  wordRegexp?: boolean
  /** -x */
  lineRegexp?: boolean
}

/**
 * A compiled pattern set. Matching runs on "binary strings": each char is one byte (latin1), so
 * results are byte offsets and bytes that are not UTF-8 are matched, never replaced.
 */
export interface Matcher {
  /** A literal needle when Buffer#indexOf alone decides a match (the fast path), else null. */
  readonly literal: Buffer | null
  /** True when every line matches (an empty pattern without -w/-x). */
  readonly matchesEverything: boolean
  /** Global regex over a block of lines; it never matches across a line end. */
  regex(binary: boolean): RegExp
  /** For -o and colour: the leftmost-longest match end at `start` (POSIX), given JS's own end. */
  longestEnd(str: string, start: number, jsEnd: number, binary: boolean): number
  /** -P only: JS regexes can cross line ends, so each hit is checked on its own line. */
  readonly perLine: boolean
}

const WORD = 'A-Za-z0-9_'

/** Splits -e values and newline-separated patterns into the list grep would use. */
export function splitPatterns(patterns: readonly string[]): string[] {
  return patterns.flatMap((p) => p.split('\n'))
}

/**
 * Compiles grep patterns (BRE, ERE, fixed strings) to a Matcher with GNU grep's C-locale meaning.
 * @throws {SearchError} `E_BAD_PATTERN` with grep's own wording for a pattern grep refuses.
 */
export function compilePatterns(patterns: readonly string[], opts: PatternOptions = {}): Matcher {
  const syntax = opts.syntax ?? 'basic'
  const list = splitPatterns(patterns).map(toBinaryString)
  const ic = !!opts.ignoreCase
  const plain = !opts.wordRegexp && !opts.lineRegexp
  const literalOnly =
    list.length === 1 && !ic && plain && (syntax === 'fixed' || (syntax !== 'perl' && !/[\\.[\]*^$+?{}()|]/.test(list[0]!)))
  const matchesEverything = plain && list.some((p) => p === '')

  const variants = new Map<string, { all: RegExp; alts: RegExp[] | null }>()
  const build = (binary: boolean) => {
    const key = binary ? 'b' : 't'
    let v = variants.get(key)
    if (!v) {
      const nl = binary ? '\\n\\x00' : '\\n'
      let offset = 0
      let usesBackref = false
      const parts = list.map((p) => {
        const t = translate(p, syntax, ic, nl, offset)
        offset += t.groups
        usesBackref ||= t.backref
        return wrap(t.source, opts, nl)
      })
      const flags = usesBackref && ic ? 'gi' : 'g'
      const all = compile(parts.map((p) => `(?:${p})`).join('|'), flags)
      // Alternatives compiled one by one give POSIX leftmost-longest between them (-e a -e ab).
      const alts = parts.length > 1 || list.some((p) => p.includes('|'))
        ? parts.flatMap((p) => splitTopAlternatives(p)).map((p) => compile(`(?:${p})`, flags.replace('g', 'y')))
        : null
      v = { all, alts }
      variants.set(key, v)
    }
    return v
  }
  build(false) // report bad patterns now, not at the first line
  return {
    literal: literalOnly ? Buffer.from(list[0]!, 'latin1') : null,
    matchesEverything,
    perLine: syntax === 'perl',
    regex: (binary) => {
      const r = build(binary).all
      return new RegExp(r.source, r.flags)
    },
    longestEnd(str, start, jsEnd, binary) {
      const alts = build(binary).alts
      if (!alts) return jsEnd
      let end = jsEnd
      for (const re of alts) {
        re.lastIndex = start
        const m = re.exec(str)
        if (m && start + m[0].length > end) end = start + m[0].length
      }
      return end
    },
  }
}

function compile(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, flags)
  } catch (e) {
    throw new SearchError(pcreWording((e as Error).message), 'E_BAD_PATTERN', undefined, { cause: e })
  }
}

/** V8's reasons in the words `grep -P` (PCRE2) uses for the same mistakes. */
const PCRE_WORDS: Record<string, string> = {
  'Unterminated group': 'missing closing parenthesis',
  "Unmatched ')'": 'unmatched closing parenthesis',
  'Nothing to repeat': 'quantifier does not follow a repeatable item',
  'Unterminated character class': 'missing terminating ] for character class',
  'Range out of order in character class': 'range out of order in character class',
  'numbers out of order in {} quantifier': 'numbers out of order in {} quantifier',
  '\\ at end of pattern': '\\ at end of pattern',
  'Invalid group': 'unrecognized character after (? or (?-',
  'Invalid capture group name': 'subpattern name expected',
  'Duplicate capture group name': 'two named subpatterns have the same name (PCRE2_DUPNAMES not set)',
}

/** `Invalid regular expression: /(?:()/g: Unterminated group` → `missing closing parenthesis`. */
export function pcreWording(v8Message: string): string {
  const reason = v8Message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')
  return PCRE_WORDS[reason] ?? reason.charAt(0).toLowerCase() + reason.slice(1)
}

/** The pattern's UTF-8 bytes, one char per byte: grep in the C locale sees bytes. */
function toBinaryString(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1')
}

function wrap(source: string, opts: PatternOptions, nl: string): string {
  if (opts.lineRegexp) return `(?<![^${nl}])(?:${source})(?![^${nl}])`
  if (opts.wordRegexp) return `(?<![${WORD}])(?:${source})(?![${WORD}])`
  return source
}

/** Splits a translated source at its top-level `|` (outside groups and classes). */
function splitTopAlternatives(src: string): string[] {
  const out: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < src.length; i++) {
    const c = src[i]
    if (c === '\\') i++
    else if (c === '[') {
      i++
      while (i < src.length && src[i] !== ']') if (src[i++] === '\\') i++
    } else if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === '|' && depth === 0) {
      out.push(src.slice(start, i))
      start = i + 1
    }
  }
  out.push(src.slice(start))
  return out
}

// --- translation of BRE / ERE / fixed strings to a JS regex source ---

interface Translation {
  source: string
  groups: number
  backref: boolean
}

const CLASSES: Record<string, (b: number) => boolean> = {
  alpha: (b) => (b >= 65 && b <= 90) || (b >= 97 && b <= 122),
  digit: (b) => b >= 48 && b <= 57,
  alnum: (b) => CLASSES.alpha!(b) || CLASSES.digit!(b),
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

function hex(b: number): string {
  return '\\x' + b.toString(16).padStart(2, '0')
}

function isLetter(b: number): boolean {
  return (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
}

/** One byte as a JS regex atom; with -i a letter becomes a class of both cases. */
function literalAtom(b: number, ic: boolean): string {
  if (ic && isLetter(b)) return `[${String.fromCharCode(b & ~32)}${String.fromCharCode(b | 32)}]`
  if ((b >= 48 && b <= 57) || isLetter(b) || b === 95 || b === 32) return String.fromCharCode(b)
  return hex(b)
}

/** A set of bytes as a JS character class, never holding a line end. */
function classAtom(set: boolean[], nlBytes: number[]): string {
  for (const b of nlBytes) set[b] = false
  let out = ''
  let count = 0
  for (let b = 0; b < 256; b++) {
    if (!set[b]) continue
    let e = b
    while (e + 1 < 256 && set[e + 1]) e++
    out += e === b ? hex(b) : e === b + 1 ? hex(b) + hex(e) : `${hex(b)}-${hex(e)}`
    count += e - b + 1
    b = e
  }
  return count === 0 ? '[^\\x00-\\xff]' : `[${out}]`
}

const BAD_BRACKET = 'Unmatched [, [^, [:, [., or [='

/** Parses a bracket expression starting after `[` at `i`; returns the byte set and the index after `]`. */
function parseBracket(p: string, i: number, ic: boolean): { set: boolean[]; next: number } {
  const set = new Array<boolean>(256).fill(false)
  let negate = false
  if (p[i] === '^') {
    negate = true
    i++
  }
  let first = true
  let prev = -1 // the last single byte, for a range
  while (true) {
    if (i >= p.length) throw new SearchError(BAD_BRACKET, 'E_BAD_PATTERN')
    const c = p[i]!
    if (c === ']' && !first) {
      i++
      break
    }
    first = false
    if (c === '[' && (p[i + 1] === ':' || p[i + 1] === '=' || p[i + 1] === '.')) {
      const kind = p[i + 1]!
      const close = p.indexOf(kind + ']', i + 2)
      if (close < 0) throw new SearchError(BAD_BRACKET, 'E_BAD_PATTERN')
      const name = p.slice(i + 2, close)
      i = close + 2
      if (kind === ':') {
        const test = CLASSES[name]
        if (!test) throw new SearchError('Invalid character class name', 'E_BAD_PATTERN')
        for (let b = 0; b < 256; b++) if (test(b)) set[b] = true
        prev = -1
      } else {
        if (name.length !== 1) throw new SearchError('Invalid collation character', 'E_BAD_PATTERN')
        prev = name.charCodeAt(0)
        set[prev] = true
      }
      continue
    }
    if (c === '-' && prev >= 0 && p[i + 1] !== ']' && i + 1 < p.length) {
      let hi: number
      if (p[i + 1] === '[' && (p[i + 2] === '.' || p[i + 2] === '=')) {
        const close = p.indexOf(p[i + 2]! + ']', i + 3)
        if (close < 0) throw new SearchError(BAD_BRACKET, 'E_BAD_PATTERN')
        hi = p.charCodeAt(i + 3)
        i = close + 2
      } else {
        hi = p.charCodeAt(i + 1)
        i += 2
      }
      if (hi < prev) throw new SearchError('Invalid range end', 'E_BAD_PATTERN')
      for (let b = prev; b <= hi; b++) set[b] = true
      prev = -1
      continue
    }
    prev = c.charCodeAt(0)
    set[prev] = true
    i++
  }
  if (ic) for (let b = 0; b < 256; b++) if (set[b] && isLetter(b)) set[b ^ 32] = true
  if (negate) for (let b = 0; b < 256; b++) set[b] = !set[b]
  return { set, next: i }
}

/**
 * Translates one grep pattern (already a binary string) to a JS source. Follows GNU grep 3.8:
 * BRE `\( \) \{ \} \| \+ \?`, a leading `*` literal in BRE and ignored in ERE, `{` literal in ERE
 * when it does not start a valid interval, `^`/`$` anchors only where POSIX makes them so in BRE.
 */
function translate(p: string, syntax: PatternSyntax, ic: boolean, nl: string, groupOffset: number): Translation {
  const nlBytes = nl === '\\n' ? [10] : [10, 0]
  if (syntax === 'perl') return { source: p, groups: countPerlGroups(p), backref: /\\[1-9]/.test(p) }
  if (syntax === 'fixed') {
    let s = ''
    for (let i = 0; i < p.length; i++) s += literalAtom(p.charCodeAt(i), ic)
    return { source: s, groups: 0, backref: false }
  }
  const ere = syntax === 'extended'
  // atoms of the current branch; a quantifier applies to the last one
  type Atom = { src: string; quantified: boolean; anchor: boolean }
  let atoms: Atom[] = []
  const stack: { atoms: Atom[]; branches: string[]; group: number }[] = []
  let branches: string[] = []
  let groups = 0
  let openGroups = 0
  let backref = false
  const notNl = `[^${nl}]`

  // "at start": where BRE makes * literal and ^ an anchor
  const atStart = () => atoms.length === 0 || (atoms.length === 1 && atoms[0]!.anchor && atoms[0]!.src.startsWith('(?<!'))
  const push = (src: string, anchor = false) => atoms.push({ src, quantified: false, anchor })
  const quantify = (q: string) => {
    const last = atoms[atoms.length - 1]
    if (!last || last.anchor) {
      // GNU: a quantifier with nothing to repeat is literal in BRE, ignored in ERE
      if (!ere) push(literalAtom(q.charCodeAt(0), false))
      return
    }
    last.src = last.quantified ? `(?:${last.src})${q}` : last.src + q
    last.quantified = true
  }
  const endBranch = () => {
    branches.push(atoms.map((a) => a.src).join(''))
    atoms = []
  }
  const startAnchor = `(?<![^${nl}])`
  const endAnchor = `(?![^${nl}])`

  // reads an interval body at i (after `{`); returns null when it is not a valid interval
  const interval = (i: number, close: string): { q: string; next: number } | null => {
    const m = /^(\d*)(,?)(\d*)/.exec(p.slice(i))!
    const after = i + m[0].length
    if (!p.startsWith(close, after)) return null
    if (m[1] === '' && m[2] === '' ) return null
    const lo = m[1] === '' ? '0' : m[1]!
    if (m[3] !== '' && Number(m[3]) < Number(lo)) throw new SearchError('Invalid content of \\{\\}', 'E_BAD_PATTERN')
    if (Number(lo) > 32767 || Number(m[3] || 0) > 32767) throw new SearchError('Regular expression too big', 'E_BAD_PATTERN')
    return { q: m[2] ? `{${lo},${m[3]}}` : `{${lo}}`, next: after + close.length }
  }

  for (let i = 0; i < p.length; ) {
    const c = p[i]!
    const b = p.charCodeAt(i)
    if (c === '\\') {
      if (i + 1 >= p.length) throw new SearchError('Trailing backslash', 'E_BAD_PATTERN')
      const d = p[i + 1]!
      i += 2
      if (!ere && d === '(') {
        stack.push({ atoms, branches, group: ++groups })
        openGroups++
        atoms = []
        branches = []
      } else if (!ere && d === ')') {
        if (openGroups === 0) throw new SearchError('Unmatched ) or \\)', 'E_BAD_PATTERN')
        closeGroup()
      } else if (!ere && d === '|') endBranch()
      else if (!ere && (d === '+' || d === '?')) {
        if (atStart()) push(literalAtom(d.charCodeAt(0), false))
        else quantify(d)
      } else if (!ere && d === '{') {
        const iv = interval(i, '\\}')
        if (!iv) throw new SearchError('Invalid content of \\{\\}', 'E_BAD_PATTERN')
        if (atStart()) throw new SearchError('Invalid preceding regular expression', 'E_BAD_PATTERN')
        quantify(iv.q)
        i = iv.next
      } else if (d >= '1' && d <= '9') {
        const n = Number(d)
        if (n > groups) throw new SearchError('Invalid back reference', 'E_BAD_PATTERN')
        backref = true
        push(`(?:\\${n + groupOffset})`)
      } else if (d === '<') push(`\\b(?=[${WORD}])`, true)
      else if (d === '>') push(`\\b(?<=[${WORD}])`, true)
      else if (d === 'b') push('\\b', true)
      else if (d === 'B') push('\\B', true)
      else if (d === '`') push(startAnchor, true)
      else if (d === "'") push(endAnchor, true)
      else if (d === 'w') push(`[${WORD}]`)
      else if (d === 'W') push(`[^${WORD}${nl}]`)
      else if (d === 's') push('[ \\t\\v\\f\\r]')
      else if (d === 'S') push(`[^ \\t\\v\\f\\r${nl}]`)
      else push(literalAtom(d.charCodeAt(0), ic))
      continue
    }
    if (c === '[') {
      const { set, next } = parseBracket(p, i + 1, ic)
      const body = p.slice(i + 1, next - 1)
      if (/^:[a-z]+:$/.test(body)) throw new SearchError(`character class syntax is [[${body}]], not [${body}]`, 'E_BAD_PATTERN')
      push(classAtom(set, nlBytes))
      i = next
      continue
    }
    i++
    if (c === '.') push(notNl)
    else if (c === '*') {
      if (!ere && atStart()) push('\\*')
      else quantify('*')
    } else if (c === '^') {
      if (ere || atStart()) push(startAnchor, true)
      else push('\\^')
    } else if (c === '$') {
      const rest = p.slice(i)
      if (ere || rest === '' || rest.startsWith('\\)') || rest.startsWith('\\|')) push(endAnchor, true)
      else push('\\$')
    } else if (ere && (c === '+' || c === '?')) quantify(c)
    else if (ere && c === '{') {
      const iv = interval(i, '}')
      if (iv) {
        quantify(iv.q)
        i = iv.next
      } else push('\\{')
    } else if (ere && c === '(') {
      stack.push({ atoms, branches, group: ++groups })
      openGroups++
      atoms = []
      branches = []
    } else if (ere && c === ')') {
      if (openGroups === 0) push('\\)')
      else closeGroup()
    } else if (ere && c === '|') endBranch()
    else push(literalAtom(b, ic))
  }
  if (openGroups > 0) throw new SearchError('Unmatched ( or \\(', 'E_BAD_PATTERN')
  endBranch()
  return { source: branches.join('|'), groups, backref }

  function closeGroup() {
    endBranch()
    const inner = branches.join('|')
    const frame = stack.pop()!
    openGroups--
    atoms = frame.atoms
    branches = frame.branches
    atoms.push({ src: `(${inner})`, quantified: false, anchor: false })
  }
}

function countPerlGroups(p: string): number {
  let n = 0
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') i++
    else if (p[i] === '(' && p[i + 1] !== '?') n++
    else if (p[i] === '(' && p[i + 1] === '?' && p[i + 2] === '<' && p[i + 3] !== '=' && p[i + 3] !== '!') n++
  }
  return n
}
