import { copyDocsAssets, DOCS_BUNDLE } from './lib/docs-assets';

// Before `wrangler dev` and `wrangler deploy`: the API reference's bundle into public/.
copyDocsAssets();
console.log(`docs: API reference bundle at ${DOCS_BUNDLE}`);
