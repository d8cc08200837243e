// `import Descent` brings in everything a user needs.
@_exported import DescentCore
@_exported import DescentData
@_exported import DescentNN
@_exported import DescentTrain
