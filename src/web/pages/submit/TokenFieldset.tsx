import { SERVER_TOKEN_DEFAULTS } from '../../app/kickstart-tokens.ts';
import type { SubmitDraft } from './draft.ts';

interface TokenFieldsetProps {
  /** The `@TOKEN@`s of the template or of the kickstart text. */
  names: readonly string[];
  draft: SubmitDraft;
  update: (changes: Partial<SubmitDraft>) => void;
}

/** One field per `@TOKEN@` of the kickstart (mic's --tokenmap), and a line for any others. */
export function TokenFieldset({ names, draft, update }: TokenFieldsetProps) {
  const setToken = (name: string, value: string) => update({ tokens: { ...draft.tokens, [name]: value } });
  return (
    <fieldset>
      <legend>Kickstart tokens</legend>
      {names.length > 0 && (
        <div className="grid2">
          {names.map((name) => (
            <div key={name}>
              <label htmlFor={`token-${name}`}>@{name}@</label>
              <input
                id={`token-${name}`}
                value={draft.tokens[name] ?? ''}
                placeholder={
                  SERVER_TOKEN_DEFAULTS[name] ? `default: ${SERVER_TOKEN_DEFAULTS[name]}` : 'left as it is'
                }
                onChange={(event) => setToken(name, event.target.value)}
              />
            </div>
          ))}
        </div>
      )}
      <label htmlFor="other-tokens">{names.length > 0 ? 'Other tokens' : 'Tokens'}</label>
      <input
        id="other-tokens"
        value={draft.otherTokens}
        placeholder="TOKEN:VALUE, comma-separated"
        onChange={(event) => update({ otherTokens: event.target.value })}
      />
      <p className="hint">
        Unset, @RELEASE@ is "latest", @BUILD_ID@ the release and @ARCH@ the chosen architecture.
      </p>
    </fieldset>
  );
}
