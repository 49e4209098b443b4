Attribute VB_Name = "Vernieuwen"
' De knop "Vernieuwen" op het blad Parameters.
' Leest de parameters, rekent alle VNG-cijfers opnieuw, werkt het blad Controle bij en zet de
' herkomst. Het werk gebeurt in Python (vng_xl.excel.refresh), dezelfde code die
' `vng-xl refresh` zonder Excel draait. Fouten komen in Nederlands in de statuscel.
Option Explicit

Public Sub Vernieuwen()
    RunPython "import vng_xl.excel.refresh; vng_xl.excel.refresh.vernieuwen()"
End Sub
