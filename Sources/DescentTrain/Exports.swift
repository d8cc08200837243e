@_exported import DescentData
@_exported import DescentNN
