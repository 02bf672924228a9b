/** A server or connection error, always as text: server messages are never parsed as markup. */
export function ErrorText({ error }: { error: string | null }) {
  if (!error) return null
  return (
    <p className="error" role="alert" data-testid="error">
      {error}
    </p>
  )
}
