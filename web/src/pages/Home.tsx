// `/`: where to go. The API has no listing of every group and project (GitLab's Query.projects and
// Query.groups are not implemented yet), so the page asks for a path and a package name.
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { groupPackagesPath, projectPackagesPath } from '../paths';

export function Home() {
  const navigate = useNavigate();
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'project' | 'group'>('group');
  const go = (event: FormEvent) => {
    event.preventDefault();
    const target = kind === 'group' ? groupPackagesPath(path.trim()) : projectPackagesPath(path.trim());
    void navigate(name.trim() ? `${target}?name=${encodeURIComponent(name.trim())}` : target);
  };
  return (
    <>
      <h1>Package Registry</h1>
      <form onSubmit={go} className="search">
        <label>
          Packages of a
          <select value={kind} onChange={(e) => setKind(e.target.value as 'project' | 'group')}>
            <option value="group">group</option>
            <option value="project">project</option>
          </select>
        </label>
        <label>
          Full path
          <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="acme" required />
        </label>
        <label>
          Package name
          <input value={name} onChange={(e) => setName(e.target.value)} type="search" />
        </label>
        <button type="submit">Search packages</button>
      </form>
    </>
  );
}
