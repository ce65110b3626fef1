// The package registry in the browser: one page per GitLab web path (paths.ts), on the public GraphQL API.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Link, useLocation } from 'react-router';
import { currentSession } from './api';
import { placeOf } from './paths';
import { Home } from './pages/Home';
import { PackageDetails } from './pages/PackageDetails';
import { PackageList } from './pages/PackageList';
import { SignIn, SignOut } from './pages/SignIn';
import './styles.css';

function App() {
  const location = useLocation();
  const place = placeOf(location.pathname);
  const [user, setUser] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    void currentSession().then(setUser);
  }, [location.key]);
  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          Package Registry
        </Link>
        <nav aria-label="Account">
          {user ? (
            <>
              <span className="who">Signed in as {user}</span> <SignOut onDone={() => setUser(null)} />
            </>
          ) : user === null ? (
            <Link to="/users/sign_in">Sign in</Link>
          ) : null}
        </nav>
      </header>
      <main>
        {place.page === 'home' && <Home />}
        {place.page === 'sign-in' && <SignIn onSignedIn={setUser} />}
        {place.page === 'list' && <PackageList key={`${place.scope}:${place.fullPath}`} scope={place.scope} fullPath={place.fullPath} />}
        {place.page === 'details' && <PackageDetails key={place.id} fullPath={place.fullPath} id={place.id} />}
        {place.page === 'not-found' && <h1>Page not found</h1>}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <App />
    </BrowserRouter>
  </StrictMode>,
);
