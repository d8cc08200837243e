// `import Descent` brings in everything a user needs.
@_exported import DescentCore
