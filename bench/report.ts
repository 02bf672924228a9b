import type { ContestantName, ItemSummary } from './contestants'

export interface Table {
  headers: string[]
  rows: string[][]
  /** How many leading columns hold labels (left-aligned); default 1. */
  labelColumns?: number
}

/** What the final state of one run looked like per contestant: the smoke test compares these. */
export interface Outcome {
  label: string
  summaries: Partial<Record<ContestantName, ItemSummary>>
}

export interface StreamReport {
  title: string
  notes: string[]
  tables: Table[]
  outcomes: Outcome[]
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** Thousands separators, no decimals. */
export const count = (value: number): string => integer.format(value)

/** About three significant digits, whatever the magnitude: 0.0312, 4.21, 46.3, 2,567. */
export function decimal(value: number): string {
  if (!Number.isFinite(value)) return '—'
  const magnitude = Math.abs(value)
  if (magnitude >= 100) return integer.format(value)
  if (magnitude >= 10) return value.toFixed(1)
  if (magnitude >= 1) return value.toFixed(2)
  if (magnitude >= 0.1) return value.toFixed(3)
  return value.toFixed(4)
}

export const ratio = (value: number): string => (Number.isFinite(value) ? `${decimal(value)}×` : '—')

export function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`
}

export function kilobytes(bytes: number): string {
  return `${decimal(bytes / 1024)} KB`
}

/** A markdown table with padded columns, readable as printed. */
export function renderTable(table: Table): string {
  const widths = table.headers.map((header, column) =>
    Math.max(3, header.length, ...table.rows.map((row) => (row[column] ?? '').length)),
  )
  // Labels sit in the leading columns, figures after them.
  const labels = table.labelColumns ?? 1
  const line = (cells: string[]) =>
    `| ${cells
      .map((cell, column) =>
        column < labels ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join(' | ')} |`
  const rule = `| ${widths
    .map((width, column) => (column < labels ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`))
    .join(' | ')} |`
  return [line(table.headers), rule, ...table.rows.map(line)].join('\n')
}

export function renderStream(report: StreamReport): string {
  const parts = [`## ${report.title}`, '']
  for (const note of report.notes) parts.push(note)
  if (report.notes.length > 0) parts.push('')
  for (const table of report.tables) parts.push(renderTable(table), '')
  return parts.join('\n')
}
