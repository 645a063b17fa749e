export function KickstartText({ summary, text }: { summary: string; text: string }) {
  return (
    <details>
      <summary>{summary}</summary>
      <pre className="text">{text}</pre>
    </details>
  );
}
