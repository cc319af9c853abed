// vars_prompt: a play's questions, answered before the run. A variable given with -e is not
// asked for (as in Ansible). On a terminal, hound asks (private answers unseen); without one,
// a prompt with a default takes it, and one without is refused: Ansible would go on with
// None, which a run that needs an answer should not do silently.
import { ParseError } from '../base/errors.js';
import type { LoadedPlay, Vars, VarsPrompt } from './model.js';
import { passwordHash, PasswordHashError } from './password-hash.js';

export type Asker = (prompt: VarsPrompt) => Promise<string>;

/**
 * Sets each play's prompted variables in its vars (above vars and vars_files, as Ansible
 * ranks them). Returns the private answers, which are secrets for the rest of the run.
 */
export async function answerPrompts(
  plays: readonly LoadedPlay[],
  extraVars: Vars,
  ask?: Asker,
  options: { running: boolean } = { running: true },
): Promise<string[]> {
  const secrets: string[] = [];
  for (const play of plays) {
    for (const prompt of play.varsPrompt) {
      if (Object.hasOwn(extraVars, prompt.name)) continue;
      let value: unknown;
      if (ask) {
        const answer = await ask(prompt);
        value = answer === '' && prompt.default !== undefined ? prompt.default : answer;
      } else if (prompt.default !== undefined) value = prompt.default;
      // --syntax-check and --list-* run nothing: as Ansible, they ask nothing and need no answer.
      else if (!options.running) value = null;
      else {
        throw new ParseError('VARS_PROMPT_NO_TERMINAL', `vars_prompt '${prompt.name}' needs an answer, has no default, and there is no terminal to ask on`, {
          position: prompt.at.source.positionOf(prompt.at.path),
          hint: `give it on the command line: -e ${prompt.name}=VALUE (or add default: to the prompt)`,
        });
      }
      if (prompt.private && typeof value === 'string' && value !== '') secrets.push(value);
      // As Ansible's do_var_prompt: the answer (or the default) hashed as password_hash does, when it was asked.
      if (prompt.encrypt && options.running) {
        value = encryptedAnswer(prompt, value);
        if (prompt.private && typeof value === 'string') secrets.push(value);
      }
      play.vars[prompt.name] = value;
    }
  }
  return secrets;
}

/** do_encrypt(answer, encrypt, salt_size, salt): the password_hash filter's hashing, its failures at the prompt's `encrypt:`. */
function encryptedAnswer(prompt: VarsPrompt, answer: unknown): string {
  const { hashtype, salt, saltSize } = prompt.encrypt!;
  try {
    return passwordHash(answer, { hashtype, salt, saltSize, rounds: undefined, ident: undefined });
  } catch (err) {
    if (!(err instanceof PasswordHashError)) throw err;
    // The prompt's name after the message: a name like `password:` before it reads as a secret's assignment, masked.
    throw new ParseError('VARS_PROMPT_ENCRYPT', `${err.message} (encrypt: of vars_prompt '${prompt.name}')`, {
      position: prompt.at.source.keyPositionOf(prompt.at.path, 'encrypt'),
      hint: err.hint,
    });
  }
}
