import { SearchError } from './errors.js'
import { stringBytes } from './names.js'
import { Backtracker, Dfa, longestMatch, pikeWork, Program, type MatchLimits, type PikeWork } from './regex/engine.js'
import { byteSet, isWordByte, parsePattern, type Node, type Parsed } from './regex/syntax.js'

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
  /** -z: the text has its NUL and newline bytes swapped (grep.ts), so sets swap them too. */
  nullData?: boolean
}

/**
 * A compiled pattern set. Matching runs on "binary strings": each char is one byte (latin1), so
 * results are byte offsets and bytes that are not UTF-8 are matched, never replaced.
 */
export interface Matcher {
  /** A literal needle when Buffer#indexOf alone decides a match (the fast path), else null. */
  readonly literal: Buffer | null
  /**
   * Bytes that every selected line holds (the literal, or a run the pattern requires), so that an
   * index can tell a file holds none; null when there is no such run (or with -z, whose text is swapped).
   */
  readonly required: Buffer | null
  /** True when every line matches (an empty pattern without -w/-x). */
  readonly matchesEverything: boolean
  /** grep's warnings about the pattern (`* at start of expression`), without the program name. */
  readonly warnings: readonly string[]
  /**
   * An index inside the first line at or after `from` (a line start) of `text` that holds a match,
   * or -1. Lines end at `\n`, and at NUL too when `binary` (grep's reading of a binary file).
   */
  find(text: string, from: number, binary: boolean): number
  /** For -o and colour: the non-empty POSIX leftmost-longest matches of one line, in order. */
  matches(line: string, binary: boolean): [number, number][]
}

const WORD = 'A-Za-z0-9_'

/** Splits -e values and newline-separated patterns into the list grep would use. */
export function splitPatterns(patterns: readonly string[]): string[] {
  return patterns.flatMap((p) => p.split('\n'))
}

/**
 * Compiles grep patterns (BRE, ERE, fixed strings; -P through V8) to a Matcher with GNU grep 3.8's
 * C-locale meaning. The engine (regex/engine.ts) runs in time linear in the input for every
 * pattern without back-references.
 * @throws {SearchError} `E_BAD_PATTERN` with grep's own wording for a pattern grep refuses.
 */
export function compilePatterns(patterns: readonly (string | Buffer)[], opts: PatternOptions = {}): Matcher {
  const syntax = opts.syntax ?? 'basic'
  const list = patterns.flatMap((p) => (typeof p === 'string' ? toBinaryString(p) : p.toString('latin1')).split('\n'))
  if (list.length === 0) return NOTHING
  const ic = !!opts.ignoreCase
  const plain = !opts.wordRegexp && !opts.lineRegexp
  const literalOnly =
    list.length === 1 && !ic && plain && (syntax === 'fixed' || (syntax !== 'perl' && !/[\\.[\]*^$+?{}()|]/.test(list[0]!)))
  const matchesEverything = plain && list.some((p) => p === '')
  const literal = literalOnly ? Buffer.from(list[0]!, 'latin1') : null
  if (syntax === 'perl') return perlMatcher(list, opts, matchesEverything)

  // glibc's syntax check runs first, over every pattern, then dfa.c's parse and its warnings
  const parse = (flavor: 'dfa' | 'regex') => {
    if (flavor === 'dfa' && list.length === 1 && !plain && syntax !== 'fixed') {
      // grep's dfa selects -w/-x lines with the pattern pasted into a wrapper, so an ERE's
      // unmatched `)` (a literal on its own) closes the wrapper's group: `grep -E -x 'b)?a'`
      const ere = syntax === 'extended'
      const [pre, post] = wrapperText(opts, ere)
      const t = parsePattern(pre + list[0]! + post, { ere, icase: ic, flavor })
      if (opts.nullData) swapSets(t.node)
      return { ...t, raw: t.node, groups: 0 }
    }
    let offset = 0
    const trees = list.map((p) => {
      const t: Parsed =
        syntax === 'fixed'
          ? { node: fixedNode(p, ic), groups: 0, backrefs: false, warnings: [] }
          : parsePattern(p, { ere: syntax === 'extended', icase: ic, flavor })
      const node = offset ? renumber(t.node, offset) : t.node
      offset += t.groups
      return { ...t, node }
    })
    const union: Node = trees.length === 1 ? trees[0]!.node : { t: 'alt', items: trees.map((t) => t.node) }
    if (opts.nullData) swapSets(union)
    return { node: wrap(union, opts), raw: union, groups: offset, backrefs: trees.some((t) => t.backrefs), warnings: trees.flatMap((t) => t.warnings) }
  }
  const rx = parse('regex')
  const sel = rx.backrefs ? rx : parse('dfa')
  const warnings = syntax === 'fixed' || rx.backrefs ? [] : sel.warnings
  const selProg = Program.compile(sel.node)
  // -o and colour: grep runs glibc's regex on the pattern itself over the lines its dfa selected;
  // -x is not checked again, -w through its own loop (wordLoop); both together: the whole line
  const outNode = opts.wordRegexp && opts.lineRegexp ? rx.node : rx.raw
  const outProg = Program.compile(outNode)
  const must = requiredPiece(sel.node)
  const mustLit = must && must.every((n) => n.t === 'set' && single(n.set) >= 0) ? String.fromCharCode(...must.map((n) => single((n as { set: Uint8Array }).set))) : ''
  const backtracker = rx.backrefs ? new Backtracker(rx.node, rx.groups, ic) : null
  const outBacktracker = rx.backrefs ? new Backtracker(outNode, rx.groups, ic) : null
  // V8's RegExp where it cannot backtrack much (see v8Safe), else the DFA
  const v8 = !backtracker && v8Safe(sel.node) ? [toJsRegExp(sel.node, false), toJsRegExp(sel.node, true)] : null
  const mustRe = must && !mustLit ? [toJsRegExp({ t: 'cat', items: must }, false), toJsRegExp({ t: 'cat', items: must }, true)] : null
  const dfas: (Dfa | null)[] = [null, null]
  const dfaFor = (binary: boolean) => (dfas[binary ? 1 : 0] ??= new Dfa(selProg, binary))
  let work: PikeWork | null = null
  const lit = literal?.toString('latin1') ?? ''

  /** The leftmost-longest match in `seg` at or after `from` (glibc's meaning). */
  const longest = (seg: string, from: number, o?: MatchLimits): [number, number] | null =>
    outBacktracker ? outBacktracker.match(seg, from, false, o) : longestMatch(outProg, seg, from, (work ??= pikeWork(outProg)), o)
  const next = opts.wordRegexp && !opts.lineRegexp ? (seg: string, from: number) => wordLoop(seg, from, longest) : longest

  return {
    literal,
    required: opts.nullData || matchesEverything ? null : literal ?? (mustLit ? Buffer.from(mustLit, 'latin1') : null),
    matchesEverything,
    warnings,
    find(text, from, binary) {
      if (matchesEverything) return from < text.length ? from : -1
      if (literal) return text.indexOf(lit, from)
      if (v8) {
        const re = v8[binary ? 1 : 0]!
        re.lastIndex = from
        const m = re.exec(text)
        return m ? m.index : -1
      }
      const dfa = dfaFor(binary)
      if (!must && !backtracker) return dfa.find(text, from)
      // bytes every match holds: only their lines run the automaton (and the back-references)
      for (let pos = from; pos < text.length; ) {
        let j = pos
        if (mustLit) j = text.indexOf(mustLit, pos)
        else if (mustRe) {
          const re = mustRe[binary ? 1 : 0]!
          re.lastIndex = pos
          const m = re.exec(text)
          j = m ? m.index : -1
        }
        if (j < 0) return -1
        const ls = lineStart(text, j, pos, binary)
        const le = lineEnd(text, j, binary)
        if (dfa.matchLine(text, ls, le) && (!backtracker || backtracker.match(text.slice(ls, le), 0, true))) return ls
        pos = le + 1
      }
      return -1
    },
    matches(line, binary) {
      const res: [number, number][] = []
      if (literal) {
        if (!lit) return res
        for (let i = line.indexOf(lit); i >= 0; i = line.indexOf(lit, i + lit.length)) res.push([i, i + lit.length])
        return res
      }
      // in a binary file a NUL ends a line for matching
      const segs = binary && line.includes('\0') ? line.split('\0') : [line]
      let base = 0
      for (const seg of segs) {
        for (let pos = 0; pos <= seg.length; ) {
          const m = next(seg, pos)
          if (!m || m[0] >= seg.length) break
          if (m[1] === m[0]) pos = m[0] + 1
          else {
            res.push([base + m[0], base + m[1]])
            pos = m[1]
          }
        }
        base += seg.length + 1
      }
      return res
    },
  }
}

/**
 * GNU grep's -w for -o and colour (dfasearch.c): the leftmost-longest match from `ptr`; while its
 * edges touch a word byte, the longest shorter match at the same start (glibc's re_match on the
 * line cut at `match + len - ptr`: grep measures from `ptr`, not from the line start, so after a
 * first match fewer shorter ones are tried), else the next match one byte further on.
 */
function wordLoop(line: string, ptr: number, longest: (seg: string, from: number, o?: MatchLimits) => [number, number] | null): [number, number] | null {
  const n = line.length
  const isWord = (i: number) => {
    const b = line.charCodeAt(i)
    return (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 95
  }
  let r = longest(line, ptr)
  if (!r) return null
  let match = r[0]
  let len = r[1] - r[0]
  for (;;) {
    if (!(match + len < n && isWord(match + len)) && !(match > 0 && isWord(match - 1))) return [match, match + len]
    let shorter = 0
    if (len > 0) {
      len--
      const end = match + len - ptr
      const s = end >= match ? longest(line, match, { end, notEol: true, anchored: true }) : null
      shorter = s ? s[1] - s[0] : -1
    }
    if (shorter > 0) len = shorter
    else {
      if (match >= n) return null
      r = longest(line, match + 1)
      if (!r) return null
      match = r[0]
      len = r[1] - r[0]
    }
  }
}

/** No pattern at all (`-f /dev/null`): nothing matches, as in grep. */
const NOTHING: Matcher = {
  literal: null,
  required: null,
  matchesEverything: false,
  warnings: [],
  find: () => -1,
  matches: () => [],
}

/** The start of the line holding `j`, not before `floor` (a line start). */
function lineStart(text: string, j: number, floor: number, binary: boolean): number {
  // (a string's lastIndexOf reads a negative start as 0)
  if (j <= floor) return floor
  let p = text.lastIndexOf('\n', j - 1)
  if (binary) p = Math.max(p, text.lastIndexOf('\0', j - 1))
  return p < floor ? floor : p + 1
}

function lineEnd(text: string, j: number, binary: boolean): number {
  let e = text.indexOf('\n', j)
  if (e < 0) e = text.length
  if (binary) {
    const z = text.indexOf('\0', j)
    if (z >= 0 && z < e) e = z
  }
  return e
}

function fixedNode(p: string, ic: boolean): Node {
  const items: Node[] = []
  for (let i = 0; i < p.length; i++) items.push({ t: 'set', set: byteSet(p.charCodeAt(i), ic) })
  return items.length === 1 ? items[0]! : { t: 'cat', items }
}

/** -w: no word byte just before or after; -x: the whole line. */
function wrap(node: Node, opts: PatternOptions): Node {
  if (opts.lineRegexp) return { t: 'cat', items: [{ t: 'assert', a: 'bol' }, node, { t: 'assert', a: 'eol' }] }
  if (opts.wordRegexp) return { t: 'cat', items: [{ t: 'assert', a: 'noWordBefore' }, node, { t: 'assert', a: 'noWordAfter' }] }
  return node
}

/** -z: every byte set takes NUL where it took a newline, and the other way round. */
function swapSets(n: Node): void {
  if (n.t === 'set') {
    const nul = n.set[0]!
    n.set = Uint8Array.from(n.set)
    n.set[0] = n.set[10]!
    n.set[10] = nul
  } else if (n.t === 'cat' || n.t === 'alt') n.items.forEach(swapSets)
  else if (n.t === 'rep' || n.t === 'group') swapSets(n.node)
}

/** GNU grep's -x and -w wrappers, as text before and after the pattern. */
function wrapperText(opts: PatternOptions, ere: boolean): [string, string] {
  const [open, close, or] = ere ? ['(', ')', '|'] : ['\\(', '\\)', '\\|']
  if (opts.lineRegexp) return [`^${open}`, `${close}$`]
  return [`${open}^${or}[^[:alnum:]_]${close}${open}`, `${close}${open}[^[:alnum:]_]${or}$${close}`]
}

/** Group numbers of a later -e pattern follow the earlier patterns' (back-references too). */
function renumber(n: Node, k: number): Node {
  switch (n.t) {
    case 'group':
      return { t: 'group', n: n.n + k, node: renumber(n.node, k) }
    case 'backref':
      return { t: 'backref', n: n.n + k }
    case 'cat':
    case 'alt':
      return { t: n.t, items: n.items.map((i) => renumber(i, k)) }
    case 'rep':
      return { ...n, node: renumber(n.node, k) }
    default:
      return n
  }
}

function single(set: Uint8Array): number {
  let found = -1
  for (let b = 0; b < 256; b++)
    if (set[b]) {
      if (found >= 0) return -1
      found = b
    }
  return found
}

/** The fewest bytes a match of `n` takes. */
function minLength(n: Node): number {
  switch (n.t) {
    case 'set':
      return 1
    case 'cat':
      return n.items.reduce((a, i) => a + minLength(i), 0)
    case 'alt':
      return Math.min(...n.items.map(minLength))
    case 'rep':
      return n.min * minLength(n.node)
    case 'group':
      return minLength(n.node)
    default:
      return 0
  }
}

/**
 * A piece every match holds, as grep's "must" strings: the run of consecutive parts of the
 * pattern's top-level sequence that V8 can search without backtracking (v8Safe), the one with the
 * longest shortest match, when that is 3 bytes or more; else null. Only the lines holding it reach
 * the automaton: `failed.*mail` looks at lines holding `failed`, `(ERROR|WARNING).*odoo` at those
 * holding ERROR or WARNING (not `odoo`, which every line of a log holds: shorter).
 */
export function requiredPiece(node: Node): Node[] | null {
  const items: Node[] = []
  const flat = (n: Node) => {
    if (n.t === 'cat') n.items.forEach(flat)
    else if (n.t === 'group' && (n.node.t === 'cat' || n.node.t === 'set')) flat(n.node)
    else items.push(n)
  }
  flat(node)
  let best: Node[] = []
  let bestLen = 0
  let run: Node[] = []
  const flush = () => {
    // assertions at the ends of a piece only cost time
    while (run.length && run[0]!.t === 'assert') run.shift()
    while (run.length && run[run.length - 1]!.t === 'assert') run.pop()
    const len = minLength({ t: 'cat', items: run })
    if (len > bestLen) {
      best = run
      bestLen = len
    }
    run = []
  }
  for (const it of items) {
    if (!v8Safe(it)) flush()
    else {
      // the choices of the whole piece count (four alternations of 5 are 625 ways)
      if (!v8Safe({ t: 'cat', items: [...run, it] })) flush()
      run.push(it)
    }
  }
  flush()
  return bestLen >= 3 ? best : null
}

/**
 * True where V8's backtracking RegExp runs in linear time: no unbounded repetition, repetitions
 * of one byte set only, and few ways to match at one position (the product of the choices of
 * every repetition and alternation at most 256). There it is 5-10x faster than the DFA's
 * byte-at-a-time loop: on 10 MB of the bench folder's text, `ERROR|WARNING` takes 3 ms against
 * 36 ms, `\<mail\>` 4 against 16, `[0-9]{3} [A-Z]` 7 against 40 (/tmp/speed.mjs).
 */
export function v8Safe(node: Node): boolean {
  let choices = 1
  const ok = (n: Node): boolean => {
    switch (n.t) {
      case 'set':
      case 'assert':
      case 'empty':
        return true
      case 'group':
        return ok(n.node)
      case 'cat':
        return n.items.every(ok)
      case 'alt':
        choices *= n.items.length
        return choices <= 256 && n.items.every(ok)
      case 'rep': {
        let inner = n.node
        while (inner.t === 'group') inner = inner.node
        if (n.max === -1 || inner.t !== 'set') return false
        choices *= n.max - n.min + 1
        return choices <= 256
      }
      default:
        return false
    }
  }
  return ok(node)
}

const hex = (b: number) => '\\x' + b.toString(16).padStart(2, '0')

/** A tree (without back-references) as a JS regex over binary strings; no match crosses a line end. */
export function toJsRegExp(node: Node, binary: boolean): RegExp {
  const nl = binary ? '\\n\\x00' : '\\n'
  const W = 'A-Za-z0-9_'
  const cls = (set: Uint8Array): string => {
    let out = ''
    let count = 0
    for (let b = 0; b < 256; b++) {
      if (!set[b] || b === 10 || (binary && b === 0)) continue
      let e = b
      while (e + 1 < 256 && set[e + 1] && e + 1 !== 10 && !(binary && e + 1 === 0)) e++
      out += e === b ? hex(b) : `${hex(b)}-${hex(e)}`
      count += e - b + 1
      b = e
    }
    return count === 0 ? '[^\\x00-\\xff]' : count === 1 ? out : `[${out}]`
  }
  const js = (n: Node): string => {
    switch (n.t) {
      case 'set':
        return cls(n.set)
      case 'empty':
        return ''
      case 'cat':
        // \< before a word byte and \> after one are plain \b, which keeps V8's literal search
        // (`\<mail\>`: 6 ms against 39 ms over 10 MB)
        return n.items
          .map((it, k) => {
            const wordSet = (m: Node | undefined) => m?.t === 'set' && m.set.every((v, b) => !v || isWordByte(b))
            if (it.t === 'assert' && ((it.a === 'wordStart' && wordSet(n.items[k + 1])) || (it.a === 'wordEnd' && wordSet(n.items[k - 1])))) return '\\b'
            return js(it)
          })
          .join('')
      case 'alt':
        return `(?:${n.items.map(js).join('|')})`
      case 'group':
        return `(?:${js(n.node)})`
      case 'rep':
        return `(?:${js(n.node)}){${n.min},${n.max === -1 ? '' : n.max}}`
      case 'backref':
        throw new Error('a back-reference has no JS RegExp here')
      case 'assert':
        switch (n.a) {
          case 'bol':
            return `(?<![^${nl}])`
          case 'eol':
            return `(?![^${nl}])`
          case 'word':
            return '\\b'
          case 'notword':
            return '\\B'
          case 'wordStart':
            return `\\b(?=[${W}])`
          case 'wordEnd':
            return `\\b(?<=[${W}])`
          case 'noWordBefore':
            return `(?<![${W}])`
          case 'noWordAfter':
            return `(?![${W}])`
        }
    }
  }
  return new RegExp(js(node), 'g')
}

/** -P: V8's RegExp (PCRE's syntax is close enough for what people grep logs with), one line at a time. */
function perlMatcher(list: string[], opts: PatternOptions, matchesEverything: boolean): Matcher {
  const ic = !!opts.ignoreCase
  let offset = 0
  const parts = list.map((p) => {
    const src = p.replace(/\\([1-9])/g, (_m, d: string) => `\\${Number(d) + offset}`)
    offset += countPerlGroups(p)
    if (opts.lineRegexp) return `^(?:${src})$`
    if (opts.wordRegexp) return `(?<![${WORD}])(?:${src})(?![${WORD}])`
    return src
  })
  const source = parts.map((p) => `(?:${p})`).join('|')
  const one = compile(source, ic ? 'i' : '')
  const all = compile(source, ic ? 'gi' : 'g')
  return {
    literal: null,
    required: null,
    matchesEverything,
    warnings: [],
    find(text, from, binary) {
      for (let u = from; u < text.length; ) {
        const e = lineEnd(text, u, binary)
        if (matchesEverything || one.test(text.slice(u, e))) return u
        u = e + 1
      }
      return -1
    },
    matches(line) {
      const res: [number, number][] = []
      all.lastIndex = 0
      for (let m = all.exec(line); m; m = all.exec(line)) {
        if (m[0].length === 0) {
          all.lastIndex = m.index + 1
          if (m.index >= line.length) break
          continue
        }
        res.push([m.index, m.index + m[0].length])
      }
      return res
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
  return stringBytes(s).toString('latin1')
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
