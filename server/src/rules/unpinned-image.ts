import { defineRule, type ComposeContext, type KubeContext } from '../engine/rule-types';
import { OWASP } from '../engine/types';
import { unpinned } from '../lang/kube/values';
import { knownString, type YNode } from '../lang/kube/yaml';
import { dockerfileUnpinnedImage } from './dockerfile-image';

/**
 * Images referenced without a tag or with `:latest`: what runs changes whenever the registry's
 * copy changes, unreviewed. Digest-pinned references and `scratch` are pinned.
 */
export default defineRule({
  meta: {
    id: 'unpinned-image',
    title: 'Container image not pinned',
    description: 'An image without a tag or tagged `latest` can change under the same name: every pull may run different, unreviewed software, and a compromised or broken upstream image is deployed automatically.',
    cwe: ['CWE-1357'],
    owasp: OWASP.A08,
    severity: 'warning',
    confidence: 'high',
    securitySeverity: 4.3,
    languages: ['yaml', 'dockerfile'],
  },
  kubernetes: (ctx) => kubernetes(ctx),
  compose: (ctx) => compose(ctx),
  dockerfile: (ctx) => dockerfileUnpinnedImage(ctx),
});

function message(image: string, why: 'untagged' | 'latest'): string {
  return why === 'untagged'
    ? `Image \`${image}\` has no tag: it means \`latest\`, whatever the registry holds at pull time. Pin a version (or a digest).`
    : `Image \`${image}\` uses the \`latest\` tag, which changes under the same name. Pin a version (or a digest).`;
}

function kubernetes(ctx: KubeContext): void {
  const file = ctx.file.yaml;
  for (const c of ctx.file.model.containers) {
    const image = knownString(c.image);
    const why = image !== undefined ? unpinned(image) : undefined;
    if (why && c.image) ctx.report({ range: file.range(c.image), message: message(image!, why) });
  }
}

function compose(ctx: ComposeContext): void {
  const file = ctx.file.yaml;
  for (const s of ctx.file.services) {
    // with `build:`, `image:` names the image built here, not one pulled from a registry
    if (s.pair('build')) continue;
    const node: YNode | null = s.value('image');
    const image = knownString(node);
    const why = image !== undefined ? unpinned(image) : undefined;
    if (why && node) ctx.report({ range: file.range(node), message: message(image!, why) });
  }
}
