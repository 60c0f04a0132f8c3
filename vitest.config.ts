import { defineConfig } from "vitest/config";
import SkipNotesReporter from "./test/helpers/skip-notes-reporter.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", new SkipNotesReporter()],
  },
});
