import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from '../domain/viewer.ts';

export const limits = {
  anonymousDepth: 15,
  signedInDepth: 20,
  maxCost: 25_000,
  maxAliases: 30,
  maxTokens: 5_000,
  maxDirectives: 50,
};

/** Abuse limits, composed in one place. Depth depends on the viewer (GitLab: 15 anonymous, 20 signed in). */
export function graphqlPlugins(): Plugin[] {
  const depthByViewer: Plugin<{ viewer?: Viewer }> = {
    onValidate({ context, addValidationRule }) {
      const n = context.viewer?.kind === 'user' ? limits.signedInDepth : limits.anonymousDepth;
      addValidationRule(maxDepthRule({ n, ignoreIntrospection: true, flattenFragments: true }));
    },
  };
  return [
    depthByViewer as Plugin,
    EnvelopArmorPlugin({
      maxDepth: { enabled: false },
      costLimit: { maxCost: limits.maxCost },
      maxAliases: { n: limits.maxAliases },
      maxTokens: { n: limits.maxTokens },
      maxDirectives: { n: limits.maxDirectives },
      blockFieldSuggestion: { enabled: false },
    }) as Plugin,
  ];
}
