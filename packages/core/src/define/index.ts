export { definePlugin, type PluginSpec } from './define-plugin.js';
export { defineResource } from './define-resource.js';
export { defineTool, type ToolSpec, toJsonSchema } from './define-tool.js';
