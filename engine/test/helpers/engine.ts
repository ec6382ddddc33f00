/** The engine under test, from source (tsx), so tests never run a stale build. */
export * from "../../src/index.js";
