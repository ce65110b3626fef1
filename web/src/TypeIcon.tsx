// The icon of a package type: each ecosystem's logo from simple-icons (bundled, CC0), a box for the
// types without one. Decorative: the type's name is always written next to it.
import {
  siApachemaven, siComposer, siConan, siDebian, siGo, siHelm, siMlflow, siNpm, siNuget, siPypi, siRedhat, siRubygems, siRust, siTerraform,
  type SimpleIcon,
} from 'simple-icons';

const icons: Record<string, SimpleIcon> = {
  MAVEN: siApachemaven, NPM: siNpm, CONAN: siConan, NUGET: siNuget, PYPI: siPypi, COMPOSER: siComposer, GOLANG: siGo, DEBIAN: siDebian,
  RUBYGEMS: siRubygems, HELM: siHelm, TERRAFORM_MODULE: siTerraform, RPM: siRedhat, ML_MODEL: siMlflow, CARGO: siRust,
};

// A parcel, for generic packages.
const box = 'M12 1 2 6v12l10 5 10-5V6L12 1Zm0 2.2L19.6 7 12 10.8 4.4 7 12 3.2ZM4 8.6l7 3.5v8.6l-7-3.5V8.6Zm9 12.1v-8.6l7-3.5v8.6l-7 3.5Z';

export function TypeIcon({ type }: { type: string }) {
  const icon = icons[type];
  return (
    <svg className="type-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false" data-type={type}>
      <path d={icon?.path ?? box} fill={icon ? `#${icon.hex}` : 'currentColor'} />
    </svg>
  );
}
