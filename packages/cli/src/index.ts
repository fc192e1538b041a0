export { commandLine, main } from './main.js'
export type { Io } from './io.js'
export { CliError, ExitCode } from './errors.js'
export { ProgressLine } from './io.js'
