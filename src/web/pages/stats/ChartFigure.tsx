import { type ReactNode, useId } from 'react';

interface Column<Row> {
  label: string;
  value: (row: Row) => string | number;
}

interface ChartFigureProps<Row> {
  /** Names the figure for tests and styles: `data-chart`. */
  name: string;
  title: string;
  /** What the chart shows, in a sentence: the chart's text alternative. */
  summary: string;
  columns: Column<Row>[];
  rows: Row[];
  /** Shown instead of an empty chart. */
  empty: string;
  children: ReactNode;
}

/**
 * A chart with what it shows in words: a sentence a screen reader reads in its place (the drawing is one image to
 * it, with nothing to focus inside), and its numbers as a table one click away, for anyone who would rather read
 * them or cannot see the bars.
 */
export function ChartFigure<Row>({
  name,
  title,
  summary,
  columns,
  rows,
  empty,
  children,
}: ChartFigureProps<Row>) {
  const captionId = useId();
  return (
    <figure className="chart panel" data-chart={name} aria-labelledby={captionId}>
      <figcaption id={captionId}>
        <h2>{title}</h2>
      </figcaption>
      {rows.length === 0 ? (
        <p className="hint">{empty}</p>
      ) : (
        <>
          <div className="chart-area" role="img" aria-label={summary}>
            {children}
          </div>
          <details>
            <summary>{title}: the numbers</summary>
            <div className="table-wrap">
              <table className="data">
                <thead>
                  <tr>
                    {columns.map((column) => (
                      <th key={column.label} scope="col">
                        {column.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row, index) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the rows are a fixed table, never reordered
                    <tr key={index}>
                      {columns.map((column) => (
                        <td key={column.label}>{column.value(row)}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </figure>
  );
}
