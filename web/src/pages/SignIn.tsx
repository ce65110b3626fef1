// Signing in with a personal access token, once: it is posted to /users/sign_in and exchanged for an
// HttpOnly session cookie; the page keeps it nowhere.
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';

export function SignIn({ onSignedIn }: { onSignedIn: (username: string) => void }) {
  const navigate = useNavigate();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const response = await fetch('/users/sign_in', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    setToken('');
    if (!response.ok) {
      setError(response.status === 401 ? 'Invalid token, or a token without the api or read_api scope.' : `Sign-in failed (${response.status}).`);
      return;
    }
    onSignedIn(((await response.json()) as { username: string }).username);
    void navigate('/');
  };
  return (
    <>
      <h1>Sign in</h1>
      <form onSubmit={submit} className="sign-in">
        <label>
          Personal access token
          <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required />
        </label>
        <button type="submit">Sign in</button>
        {error && <p role="alert" className="error">{error}</p>}
      </form>
    </>
  );
}

export function SignOut({ onDone }: { onDone: () => void }) {
  const signOut = async () => {
    await fetch('/users/sign_out', { method: 'POST', credentials: 'same-origin' });
    onDone();
  };
  return (
    <button type="button" className="link" onClick={() => void signOut()}>
      Sign out
    </button>
  );
}
