/**
 * What the scanner searches: a binary (latin1) string when a regex must run, or the Buffer itself
 * behind the same few string methods when a literal (or '') decides: converting every block to a
 * string was the largest cost of `grep -F` in a CPU profile of the bench folder (18% of samples).
 */
export interface Hay {
  readonly length: number
  indexOf(s: string, from?: number): number
  lastIndexOf(s: string, from?: number): number
  slice(a: number, b?: number): string
  charCodeAt(i: number): number
}

export class BufferHay implements Hay {
  constructor(private readonly b: Buffer) {}
  get length() {
    return this.b.length
  }
  indexOf(s: string, from = 0) {
    return this.b.indexOf(s, from, 'latin1')
  }
  lastIndexOf(s: string, from = this.b.length) {
    return from < 0 ? -1 : this.b.lastIndexOf(s, from, 'latin1')
  }
  slice(a: number, b = this.b.length) {
    return this.b.toString('latin1', a, b)
  }
  charCodeAt(i: number) {
    return this.b[i] ?? NaN
  }
}

/** The start of the line after the one holding `p`, or -1. */
export function afterNl(s: string, p: number): number {
  const nl = s.indexOf('\n', p)
  return nl < 0 ? -1 : nl + 1
}

/** Line ends in [from, to). */
export function countNl(s: Hay, from: number, to: number): number {
  let n = 0
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++
  return n
}
